"""Contract: DocumentRepository. Subclass DocumentRepositoryContract once per adapter."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest

from askdocs.adapters.documents.memory import InMemoryDocumentRepository
from askdocs.adapters.documents.postgres import PostgresDocumentRepository
from askdocs.adapters.postgres.database import PostgresDatabase
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

    async def test_a_version_on_its_way_is_what_a_reupload_matches_and_a_failed_one_is_not(
        self, repository: DocumentRepository
    ) -> None:
        pending = make_version(2, content="pending", status=VersionStatus.PROCESSING)
        broken = make_version(3, content="broken", status=VersionStatus.FAILED)
        await repository.save(
            make_document(versions=(make_version(1, content="v1"), pending, broken))
        )
        assert await repository.find_live_by_content(sha("pending")) is not None
        assert await repository.find_live_by_content(sha("v1")) is not None
        assert await repository.find_live_by_content(sha("broken")) is None

    async def test_deleted_documents_are_not_live_content(
        self, repository: DocumentRepository
    ) -> None:
        version = make_version(1, content="same")
        await repository.save(make_document(versions=(version,), deleted_at=at(1)))
        assert await repository.find_live_by_content(sha("same")) is None

    async def test_a_version_moves_on_through_save_version(
        self, repository: DocumentRepository
    ) -> None:
        queued = make_version(1, status=VersionStatus.QUEUED, pages=())
        document = make_document(versions=(queued,))
        await repository.save(document)
        working = dataclasses.replace(
            queued, status=VersionStatus.PROCESSING, attempts=1, pages_total=2, pages_done=1
        )
        await repository.save_version("doc-1", working)
        assert (await repository.get("doc-1")).versions == (working,)
        parsed = dataclasses.replace(
            make_version(1, pages=("first", "second")), attempts=1, pages_total=2, pages_done=2
        )
        await repository.save_version("doc-1", parsed)
        assert await repository.get("doc-1") == dataclasses.replace(document, versions=(parsed,))

    async def test_a_stale_save_never_turns_a_version_back(
        self, repository: DocumentRepository
    ) -> None:
        queued = make_version(1, status=VersionStatus.QUEUED)
        stale = make_document(versions=(queued,))
        await repository.save(stale)
        ready = dataclasses.replace(queued, status=VersionStatus.READY)
        await repository.save_version("doc-1", ready)
        await repository.save(stale.retagged(["edited"]))
        stored = await repository.get("doc-1")
        assert (stored.tags, stored.versions) == (("edited",), (ready,))

    async def test_saving_a_version_that_does_not_exist_is_not_found(
        self, repository: DocumentRepository
    ) -> None:
        await repository.save(make_document())
        with pytest.raises(NotFound):
            await repository.save_version("doc-1", make_version(7))
        with pytest.raises(NotFound):
            await repository.delete_version("doc-1", 7)

    async def test_a_deleted_version_is_gone_and_the_others_stay(
        self, repository: DocumentRepository
    ) -> None:
        keep = make_version(1, pages=("a",))
        document = make_document(
            versions=(keep, make_version(2, status=VersionStatus.FAILED, pages=("b",)))
        )
        await repository.save(document)
        await repository.delete_version("doc-1", 2)
        assert (await repository.get("doc-1")).versions == (keep,)

    async def test_listing_by_text_matches_the_name_case_insensitively(
        self, repository: DocumentRepository
    ) -> None:
        for document_id, name in [("a", "Heating Manual.pdf"), ("b", "100%_sure.txt")]:
            await repository.save(make_document(document_id=document_id, name=name))
        found = await repository.list(DocumentQuery(text="heating"))
        assert [d.id for d in found.items] == ["a"]
        wildcard = await repository.list(DocumentQuery(text="%_"))
        assert [d.id for d in wildcard.items] == ["b"]
        assert (await repository.list(DocumentQuery(text="_x"))).total == 0

    async def test_a_version_of_two_thousand_pages_comes_back_in_page_order(
        self, repository: DocumentRepository
    ) -> None:
        texts = [f"page {n}" for n in range(2000)]
        texts[1500] = texts[3]  # the same text on two pages is allowed
        document = make_document(versions=(make_version(1, pages=texts), make_version(2)))
        await repository.save(document)
        await repository.save(document.retagged(["again"]))
        found = await repository.get("doc-1")
        assert found == document.retagged(["again"])
        assert [ref.number for ref in found.versions[0].pages] == list(range(1, 2001))

    async def test_deletion_and_restoration_are_kept(self, repository: DocumentRepository) -> None:
        document = make_document()
        await repository.save(document.deleted(at(7)))
        assert (await repository.get("doc-1")).deleted_at == at(7)
        await repository.save(document.deleted(at(7)).restored())
        assert (await repository.get("doc-1")).deleted_at is None

    async def test_timestamps_come_back_as_the_same_aware_instants(
        self, repository: DocumentRepository
    ) -> None:
        berlin = timezone(timedelta(hours=2))
        created = datetime(2025, 6, 1, 12, 30, 15, 123456, tzinfo=berlin)
        version = dataclasses.replace(make_version(1), uploaded_at=created + timedelta(seconds=1))
        await repository.save(
            make_document(created_at=created, versions=(version,), deleted_at=created)
        )
        found = await repository.get("doc-1")
        moments = [found.created_at, found.versions[0].uploaded_at, found.deleted_at]
        assert moments == [created, created + timedelta(seconds=1), created]
        assert all(m is not None and m.utcoffset() is not None for m in moments)
        assert found.created_at.astimezone(UTC) == datetime(2025, 6, 1, 10, 30, 15, 123456, UTC)

    async def test_versions_keep_every_field(self, repository: DocumentRepository) -> None:
        version = dataclasses.replace(
            make_version(1, pages=()),
            paginated=False,
            source_url="https://example.com/a.html",
            media_type="text/html",
            file_name="a.html",
            pages_done=3,
            pages_total=7,
            attempts=2,
        )
        document = make_document(tags=("zeta", "alpha"), versions=(version,))
        await repository.save(document)
        assert await repository.get("doc-1") == document

    async def test_listed_documents_are_complete(self, repository: DocumentRepository) -> None:
        document = make_document(
            tags=("hr",),
            versions=(make_version(1, pages=("a", "b")), make_version(2, pages=("a", "c"))),
        )
        await repository.save(document)
        await repository.save(make_document("other", created_at=at(-1), versions=()))
        listing = await repository.list(DocumentQuery())
        assert listing.items == (document, make_document("other", created_at=at(-1), versions=()))

    async def test_ids_tie_break_in_code_point_order(self, repository: DocumentRepository) -> None:
        for document_id in ["b", "B", "a", "A", "_"]:
            await repository.save(make_document(document_id))
        listing = await repository.list(DocumentQuery())
        assert [d.id for d in listing.items] == ["A", "B", "_", "a", "b"]

    async def test_listing_by_status_follows_a_later_save(
        self, repository: DocumentRepository
    ) -> None:
        processing = make_version(1, status=VersionStatus.PROCESSING)
        document = make_document(versions=(processing,))
        await repository.save(document)
        ready = DocumentQuery(status=VersionStatus.READY)
        assert (await repository.list(ready)).total == 0
        await repository.save_version("doc-1", make_version(1))
        assert [d.id for d in (await repository.list(ready)).items] == ["doc-1"]

    async def test_an_empty_page_past_the_end_still_counts_the_matches(
        self, repository: DocumentRepository
    ) -> None:
        await repository.save(make_document("x", tags=("hr",)))
        await repository.save(make_document("y"))
        listing = await repository.list(DocumentQuery(tags=("hr",), offset=5))
        assert (listing.items, listing.total) == ((), 1)
        nothing = await repository.list(DocumentQuery(tags=("none",)))
        assert (nothing.items, nothing.total) == ((), 0)

    async def test_the_newest_ready_version_is_the_live_content(
        self, repository: DocumentRepository
    ) -> None:
        versions = (
            make_version(1, content="v1"),
            make_version(2, content="v2"),
            make_version(3, content="v3", status=VersionStatus.FAILED),
        )
        document = make_document(versions=versions)
        await repository.save(document)
        assert await repository.find_live_by_content(sha("v2")) == document
        assert await repository.find_live_by_content(sha("v1")) is None
        assert await repository.find_live_by_content(sha("v3")) is None
        await repository.save(document.deleted(at(1)).restored())
        assert await repository.find_live_by_content(sha("v2")) == document


class TestInMemoryDocumentRepository(DocumentRepositoryContract):
    @pytest.fixture
    def repository(self) -> DocumentRepository:
        return InMemoryDocumentRepository()


class TestPostgresDocumentRepository(DocumentRepositoryContract):
    @pytest.fixture
    def repository(self, postgres: PostgresDatabase) -> DocumentRepository:
        return PostgresDocumentRepository(postgres)
