"""Contract: DocumentRepository. Subclass DocumentRepositoryContract once per adapter."""

from __future__ import annotations

import pytest

from askdocs.adapters.documents.memory import InMemoryDocumentRepository
from askdocs.application.errors import NotFound
from askdocs.application.ports.documents import DocumentQuery, DocumentRepository
from askdocs.domain.documents import VersionStatus
from tests.contract.builders import at, make_document, make_version, sha


class DocumentRepositoryContract:
    """Behaviour every DocumentRepository must have; `repository` must start empty."""

    @pytest.fixture
    def repository(self) -> DocumentRepository:
        raise NotImplementedError

    async def test_a_saved_document_comes_back_with_every_version(
        self, repository: DocumentRepository
    ) -> None:
        document = make_document(
            tags=("guide", "hr"),
            versions=(
                make_version(1, pages=("a", "b")),
                make_version(2, status=VersionStatus.FAILED),
            ),
        )
        await repository.save(document)
        assert await repository.get("doc-1") == document

    async def test_saving_again_replaces_the_document(self, repository: DocumentRepository) -> None:
        first = make_document()
        await repository.save(first)
        second = first.with_version(make_version(2)).retagged(["new"])
        await repository.save(second)
        assert await repository.get("doc-1") == second

    async def test_an_unknown_id_is_not_found(self, repository: DocumentRepository) -> None:
        with pytest.raises(NotFound, match="document missing not found"):
            await repository.get("missing")

    async def test_a_deleted_document_can_still_be_read(
        self, repository: DocumentRepository
    ) -> None:
        document = make_document(deleted_at=at(5))
        await repository.save(document)
        assert await repository.get("doc-1") == document

    async def test_listing_is_newest_first_with_ties_broken_by_id(
        self, repository: DocumentRepository
    ) -> None:
        for document_id, minute in [("b", 1), ("c", 2), ("a", 1), ("d", 0)]:
            await repository.save(make_document(document_id, created_at=at(minute)))
        listing = await repository.list(DocumentQuery())
        assert [d.id for d in listing.items] == ["c", "a", "b", "d"]
        assert listing.total == 4

    async def test_listing_requires_every_tag(self, repository: DocumentRepository) -> None:
        await repository.save(make_document("both", tags=("hr", "policy")))
        await repository.save(make_document("hr-only", tags=("hr",)))
        await repository.save(make_document("none"))
        listing = await repository.list(DocumentQuery(tags=("hr", "policy")))
        assert [d.id for d in listing.items] == ["both"]
        assert listing.total == 1
        assert {d.id for d in (await repository.list(DocumentQuery(tags=("hr",)))).items} == {
            "both",
            "hr-only",
        }

    async def test_listing_by_status_looks_at_the_newest_version(
        self, repository: DocumentRepository
    ) -> None:
        ready_then_failed = (make_version(1), make_version(2, status=VersionStatus.FAILED))
        await repository.save(make_document("failed-now", versions=ready_then_failed))
        await repository.save(make_document("ready"))
        await repository.save(make_document("empty", versions=()))
        failed = await repository.list(DocumentQuery(status=VersionStatus.FAILED))
        ready = await repository.list(DocumentQuery(status=VersionStatus.READY))
        assert [d.id for d in failed.items] == ["failed-now"]
        assert [d.id for d in ready.items] == ["ready"]

    async def test_deleted_documents_are_listed_only_when_asked_for(
        self, repository: DocumentRepository
    ) -> None:
        await repository.save(make_document("gone", deleted_at=at(9)))
        await repository.save(make_document("here"))
        default = await repository.list(DocumentQuery())
        everything = await repository.list(DocumentQuery(include_deleted=True))
        assert [d.id for d in default.items] == ["here"]
        assert default.total == 1
        assert {d.id for d in everything.items} == {"gone", "here"}
        assert everything.total == 2

    async def test_pagination_returns_a_slice_and_the_full_total(
        self, repository: DocumentRepository
    ) -> None:
        for n in range(7):
            await repository.save(make_document(f"doc-{n}", created_at=at(n)))
        page = await repository.list(DocumentQuery(offset=2, limit=3))
        assert [d.id for d in page.items] == ["doc-4", "doc-3", "doc-2"]
        assert page.total == 7
        beyond = await repository.list(DocumentQuery(offset=10, limit=3))
        assert beyond.items == ()
        assert beyond.total == 7

    async def test_live_content_is_found_by_the_current_versions_hash(
        self, repository: DocumentRepository
    ) -> None:
        versions = (make_version(1, content="old"), make_version(2, content="new"))
        document = make_document(versions=versions)
        await repository.save(document)
        assert await repository.find_live_by_content(sha("new")) == document
        assert await repository.find_live_by_content(sha("old")) is None
        assert await repository.find_live_by_content(sha("never")) is None

    async def test_a_version_still_processing_is_not_the_current_content(
        self, repository: DocumentRepository
    ) -> None:
        pending = make_version(2, content="pending", status=VersionStatus.PROCESSING)
        await repository.save(make_document(versions=(make_version(1, content="v1"), pending)))
        assert await repository.find_live_by_content(sha("pending")) is None
        assert await repository.find_live_by_content(sha("v1")) is not None

    async def test_deleted_documents_are_not_live_content(
        self, repository: DocumentRepository
    ) -> None:
        version = make_version(1, content="same")
        await repository.save(make_document(versions=(version,), deleted_at=at(1)))
        assert await repository.find_live_by_content(sha("same")) is None


class TestInMemoryDocumentRepository(DocumentRepositoryContract):
    @pytest.fixture
    def repository(self) -> DocumentRepository:
        return InMemoryDocumentRepository()
