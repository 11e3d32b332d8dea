"""IngestDocument through the real container: what the repository, blobs and index hold after."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

import pytest
from dependency_injector import providers

from askdocs.adapters.embeddings.hashing import HashingEmbedder
from askdocs.application.ask_question import Question
from askdocs.application.change_document import DocumentChange
from askdocs.application.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    UpstreamUnavailable,
)
from askdocs.application.ingest_document import Upload
from askdocs.application.ports import Clock, DocumentQuery, SearchHit
from askdocs.domain.documents import VersionStatus, content_digest
from askdocs.domain.principals import Principal
from askdocs.entrypoints.container import Container
from tests.support.pdf import make_pdf

Search = Callable[..., Awaitable[list[SearchHit]]]


class FixedClock(Clock, Protocol):
    def advance(self, seconds: float) -> None: ...


ZOO = [
    "The aardvark sleeps in burrows during the day.",
    "The flamingo stands on one leg in shallow water.",
    "The narwhal hunts cod under the arctic ice.",
    "The pangolin curls into a ball when threatened.",
    "The quokka smiles at tourists on Rottnest island.",
]
EDITED_NARWHAL = "The narwhal migrates south along the Greenland coast in autumn."


class FlakyEmbedder:
    """The hashing embedder, except that embedding documents fails from call `fail_from` on."""

    def __init__(self, *, fail_from: int = 1) -> None:
        self._real = HashingEmbedder(dim=384)
        self._fail_from = fail_from
        self._calls = 0
        self.batches_embedded = 0

    @property
    def model_id(self) -> str:
        return self._real.model_id

    @property
    def dim(self) -> int:
        return self._real.dim

    async def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        self._calls += 1
        if self._calls >= self._fail_from:
            raise UpstreamUnavailable("the embedding service is down")
        self.batches_embedded += 1
        return await self._real.embed_documents(texts)

    async def embed_query(self, text: str) -> list[float]:
        return await self._real.embed_query(text)


def use_embedder(container: Container, embedder: FlakyEmbedder) -> None:
    container.embedder.override(providers.Object(embedder))
    # Singletons built earlier hold the previous embedder.
    container.embedders.reset()
    container.embedding_models.reset()
    container.process_ingestion.reset()
    container.ingest_document.reset()
    container.ask_question.reset()


async def documents_in(container: Container) -> int:
    return (await container.list_documents().execute(DocumentQuery(include_deleted=True))).total


async def test_a_new_upload_creates_a_searchable_document_with_its_bytes_kept(
    container: Container, editor: Principal, search: Search, clock: Clock
) -> None:
    data = make_pdf(ZOO)

    report = await container.ingest_document().execute(
        Upload(data, "zoo.pdf", editor, tags=(" animals ", "zoo", "animals"))
    )

    stored = await container.get_document().execute(report.document.id)
    assert report.created
    assert (report.pages_reused, report.pages_embedded, report.chunks_embedded) == (0, 5, 5)
    assert stored.name == "zoo.pdf"
    assert stored.tags == ("animals", "zoo")
    assert stored.author == editor.subject
    assert stored.created_at == clock.now()
    assert [v.number for v in stored.versions] == [1]
    assert stored.current is not None
    assert stored.current.media_type == "application/pdf"
    assert stored.current.page_count == 5
    assert stored.current.content_hash == content_digest(data)
    assert await container.blobs().get(content_digest(data)) == data
    hits = await search("pangolin curls into a ball")
    assert hits[0].chunk.text == ZOO[3]
    assert hits[0].page_no == 4
    assert hits[0].liveness.tags == ("animals", "zoo")


async def test_identical_reupload_is_a_no_op(
    container: Container,
    editor: Principal,
    search: Search,
    chunks_embedded: Callable[[], float],
) -> None:
    ingest = container.ingest_document()
    first = await ingest.execute(Upload(make_pdf(ZOO), "zoo.pdf", editor))
    embedded_before = chunks_embedded()
    hits_before = await search("flamingo")

    again = await ingest.execute(Upload(make_pdf(ZOO), "renamed.pdf", editor, tags=("new",)))

    assert not again.created
    assert again.document.id == first.document.id
    assert again.version.number == first.version.number == 1
    assert (again.pages_embedded, again.chunks_embedded) == (0, 0)
    assert again.pages_reused == 5
    assert chunks_embedded() == embedded_before == 5
    stored = await container.get_document().execute(first.document.id)
    assert stored == first.document
    assert await documents_in(container) == 1
    assert await search("flamingo") == hits_before


async def test_identical_bytes_sent_as_a_new_version_change_nothing(
    container: Container, editor: Principal, chunks_embedded: Callable[[], float]
) -> None:
    ingest = container.ingest_document()
    first = await ingest.execute(Upload(make_pdf(ZOO), "zoo.pdf", editor))

    again = await ingest.execute(
        Upload(make_pdf(ZOO), "zoo.pdf", editor, document_id=first.document.id)
    )

    assert not again.created
    assert again.version == first.version
    assert (await container.get_document().execute(first.document.id)).versions == (first.version,)
    assert chunks_embedded() == 5


async def test_a_new_version_with_one_page_edited_embeds_only_that_page(
    container: Container,
    editor: Principal,
    search: Search,
    chunks_embedded: Callable[[], float],
) -> None:
    ingest = container.ingest_document()
    first = await ingest.execute(Upload(make_pdf(ZOO), "zoo.pdf", editor))
    edited = [*ZOO[:2], EDITED_NARWHAL, *ZOO[3:]]

    report = await ingest.execute(
        Upload(make_pdf(edited), "zoo-v2.pdf", editor, document_id=first.document.id)
    )

    assert report.created
    assert report.document.id == first.document.id
    assert report.version.number == 2
    assert (report.pages_reused, report.pages_embedded, report.chunks_embedded) == (4, 1, 1)
    assert chunks_embedded() == 6
    stored = await container.get_document().execute(first.document.id)
    assert [v.number for v in stored.versions] == [1, 2]
    assert stored.current == report.version
    assert stored.name == "zoo.pdf"  # a new version keeps the document's name

    reply = await container.ask_question().execute(
        Question("Where does the narwhal migrate in autumn?", editor)
    )
    assert "Greenland" in reply.answer.text
    assert [(s.version, s.page) for s in reply.answer.sources] == [(2, 3)]

    old_hits = await search("narwhal hunts cod under the arctic ice")
    assert old_hits, "the other pages are still searchable"
    assert all("arctic" not in hit.chunk.text for hit in old_hits)
    assert all(hit.liveness.version == 2 for hit in old_hits)
    old_reply = await container.ask_question().execute(
        Question("What does the narwhal hunt under the arctic ice?", editor)
    )
    assert "arctic" not in old_reply.answer.text


async def test_a_page_repeated_within_a_document_is_embedded_once(
    container: Container, editor: Principal, search: Search
) -> None:
    repeated = "Confidential: do not distribute this handbook outside the company."
    pages = [repeated, "Chapter one explains the espresso machine.", repeated]

    report = await container.ingest_document().execute(
        Upload(make_pdf(pages), "handbook.pdf", editor)
    )

    assert (report.pages_embedded, report.pages_reused, report.chunks_embedded) == (2, 1, 2)
    refs = report.version.pages
    assert [r.number for r in refs] == [1, 2, 3]
    assert refs[0].sha256 == refs[2].sha256 != refs[1].sha256
    hits = await search("confidential handbook distribute")
    assert [hit.chunk.text for hit in hits].count(repeated) == 1


async def test_a_failing_embedder_publishes_nothing_and_leaves_the_version_to_retry(
    container: Container, editor: Principal, search: Search
) -> None:
    use_embedder(container, FlakyEmbedder(fail_from=1))

    with pytest.raises(UpstreamUnavailable):
        await container.ingest_document().execute(Upload(make_pdf(ZOO), "zoo.pdf", editor))

    (document,) = (await container.list_documents().execute(DocumentQuery())).items
    version = document.versions[0]
    assert (version.status, version.attempts) == (VersionStatus.QUEUED, 1)
    assert version.error is not None
    assert "retrying in 5 s" in version.error
    assert document.current is None
    assert await search("aardvark flamingo narwhal pangolin quokka") == []
    assert await container.cache().generation() == 0


async def test_sending_the_bytes_again_after_an_upstream_failure_ingests_the_queued_version(
    container: Container, editor: Principal, search: Search
) -> None:
    use_embedder(container, FlakyEmbedder(fail_from=1))
    with pytest.raises(UpstreamUnavailable):
        await container.ingest_document().execute(Upload(make_pdf(ZOO), "zoo.pdf", editor))
    use_embedder(container, FlakyEmbedder(fail_from=99))

    report = await container.ingest_document().execute(Upload(make_pdf(ZOO), "zoo.pdf", editor))

    assert not report.created
    assert (report.version.number, report.version.status) == (1, VersionStatus.READY)
    assert report.version.attempts == 2
    assert await documents_in(container) == 1
    assert [hit.chunk.text for hit in await search("flamingo")][:1] == [ZOO[1]]


@pytest.mark.settings(documents__chunk_tokens=4, documents__chunk_overlap=0)
async def test_an_embedder_failing_after_some_batches_publishes_no_part_of_the_document(
    container: Container, editor: Principal, search: Search
) -> None:
    embedder = FlakyEmbedder(fail_from=2)
    use_embedder(container, embedder)
    long_pages = [" ".join(f"{word}{n}" for n in range(100)) for word in ("alpha", "beta")]

    with pytest.raises(UpstreamUnavailable):
        await container.ingest_document().execute(Upload(make_pdf(long_pages), "x.pdf", editor))

    assert embedder.batches_embedded == 1, "the failure must come after a batch was stored"
    (document,) = (await container.list_documents().execute(DocumentQuery())).items
    assert document.current is None
    assert await search("alpha1 beta1 alpha99 beta99") == []


async def test_a_failed_new_version_leaves_the_previous_version_answering(
    container: Container, editor: Principal, search: Search
) -> None:
    first = await container.ingest_document().execute(Upload(make_pdf(ZOO), "zoo.pdf", editor))
    use_embedder(container, FlakyEmbedder(fail_from=1))
    edited = [*ZOO[:2], EDITED_NARWHAL, *ZOO[3:]]

    with pytest.raises(UpstreamUnavailable):
        await container.ingest_document().execute(
            Upload(make_pdf(edited), "zoo.pdf", editor, document_id=first.document.id)
        )

    stored = await container.get_document().execute(first.document.id)
    assert stored.current == first.version
    assert stored.newest is not None
    assert stored.newest.status is VersionStatus.QUEUED
    hits = await search("narwhal")
    assert hits[0].chunk.text == ZOO[2]
    assert all("Greenland" not in hit.chunk.text for hit in hits)


@pytest.mark.settings(documents__max_upload_bytes=100)
async def test_an_oversize_upload_is_refused_before_anything_is_stored(
    container: Container, editor: Principal
) -> None:
    data = make_pdf(ZOO)

    with pytest.raises(PayloadTooLarge) as refused:
        await container.ingest_document().execute(Upload(data, "zoo.pdf", editor))

    assert refused.value.limit_bytes == 100
    assert await documents_in(container) == 0
    with pytest.raises(NotFound):
        await container.blobs().get(content_digest(data))


@pytest.mark.settings(documents__max_upload_bytes=len(make_pdf(ZOO)))
async def test_an_upload_of_exactly_the_limit_is_accepted(
    container: Container, editor: Principal
) -> None:
    data = make_pdf(ZOO)

    report = await container.ingest_document().execute(Upload(data, "zoo.pdf", editor))

    assert report.created


async def test_an_image_is_refused_as_an_unsupported_media_type(
    container: Container, editor: Principal
) -> None:
    with pytest.raises(UnsupportedMediaType):
        await container.ingest_document().execute(
            Upload(b"\x89PNG\r\n\x1a\n" + bytes(64), "photo.pdf", editor)
        )

    assert await documents_in(container) == 0


async def test_a_text_file_is_searchable_without_page_numbers(
    container: Container, editor: Principal, search: Search
) -> None:
    text = b"The lighthouse keeper winds the clock every evening at dusk.\n"

    report = await container.ingest_document().execute(Upload(text, "notes.txt", editor))

    assert report.version.media_type == "text/plain"
    assert not report.version.paginated
    hits = await search("lighthouse keeper")
    assert [(hit.chunk.text.strip(), hit.page_no) for hit in hits] == [
        ("The lighthouse keeper winds the clock every evening at dusk.", None)
    ]


async def test_a_new_version_of_an_unknown_document_is_not_found(
    container: Container, editor: Principal
) -> None:
    with pytest.raises(NotFound):
        await container.ingest_document().execute(
            Upload(make_pdf(ZOO), "zoo.pdf", editor, document_id="no-such-document")
        )

    assert await documents_in(container) == 0


async def test_a_new_version_of_a_deleted_document_is_a_conflict(
    container: Container, editor: Principal
) -> None:
    first = await container.ingest_document().execute(Upload(make_pdf(ZOO), "zoo.pdf", editor))
    await container.change_document().execute(first.document.id, DocumentChange("delete"))

    with pytest.raises(Conflict):
        await container.ingest_document().execute(
            Upload(make_pdf(ZOO[:2]), "zoo.pdf", editor, document_id=first.document.id)
        )

    stored = await container.get_document().execute(first.document.id)
    assert [v.number for v in stored.versions] == [1]


async def test_the_bytes_of_a_deleted_document_uploaded_again_make_a_new_document(
    container: Container, editor: Principal, search: Search
) -> None:
    first = await container.ingest_document().execute(Upload(make_pdf(ZOO), "zoo.pdf", editor))
    await container.change_document().execute(first.document.id, DocumentChange("delete"))

    again = await container.ingest_document().execute(Upload(make_pdf(ZOO), "zoo.pdf", editor))

    assert again.created
    assert again.document.id != first.document.id
    assert {hit.liveness.document_id for hit in await search("quokka")} == {again.document.id}


async def test_each_version_is_read_back_by_its_number(
    container: Container, editor: Principal
) -> None:
    first = await container.ingest_document().execute(Upload(make_pdf(ZOO), "zoo.pdf", editor))
    second = await container.ingest_document().execute(
        Upload(make_pdf(ZOO[:3]), "zoo.pdf", editor, document_id=first.document.id)
    )

    get = container.get_document()
    assert await get.version(first.document.id, 1) == first.version
    assert await get.version(first.document.id, 2) == second.version
    assert second.version.page_count == 3
    with pytest.raises(NotFound):
        await get.version(first.document.id, 3)


async def test_ingested_documents_are_listed_newest_first_and_by_tag(
    container: Container, editor: Principal, clock: FixedClock
) -> None:
    ingest = container.ingest_document()
    older = await ingest.execute(Upload(make_pdf(ZOO[:1]), "a.pdf", editor, tags=("zoo",)))
    clock.advance(60)
    newer = await ingest.execute(Upload(make_pdf(ZOO[1:2]), "b.pdf", editor, tags=("zoo", "x")))

    listing = container.list_documents()
    everything = await listing.execute(DocumentQuery())
    tagged = await listing.execute(DocumentQuery(tags=("x",)))
    second_page = await listing.execute(DocumentQuery(offset=1, limit=1))

    assert [d.id for d in everything.items] == [newer.document.id, older.document.id]
    assert [d.id for d in tagged.items] == [newer.document.id]
    assert (second_page.total, [d.id for d in second_page.items]) == (2, [older.document.id])


@pytest.mark.parametrize(("offset", "limit"), [(-1, 10), (0, 0), (0, 201)])
async def test_a_listing_page_out_of_range_is_refused(
    container: Container, offset: int, limit: int
) -> None:
    with pytest.raises(InvalidInput):
        await container.list_documents().execute(DocumentQuery(offset=offset, limit=limit))
