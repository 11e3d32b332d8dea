"""ProcessIngestion: one job of the worker, from a queued version to a ready or failed one."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Sequence

from askdocs.application.errors import (
    NotFound,
    RetryLater,
    UnprocessableDocument,
    UnsupportedMediaType,
    UpstreamError,
)
from askdocs.application.liveness import publish_ahead, sync_liveness
from askdocs.application.ports import (
    AnswerCache,
    BlobStore,
    DocumentParser,
    DocumentRepository,
    Embedder,
    IndexedChunk,
    JobAttempt,
    Metrics,
    Tokenizer,
    VectorIndex,
)
from askdocs.application.ports.tracing import Tracer
from askdocs.domain.chunking import Chunk, ChunkingPolicy, chunk_id
from askdocs.domain.documents import Document, DocumentVersion, Page, page_refs
from askdocs.domain.ingestion import (
    RetryPolicy,
    failed,
    finished,
    parsed,
    progressed,
    started,
    waiting_to_retry,
)
from askdocs.domain.structured_chunks import HeadingTrail, chunk_page

log = logging.getLogger("askdocs.ingestion")

EMBED_BATCH = 64
PROGRESS_EVERY_S = 1.0


@dataclasses.dataclass(frozen=True, slots=True)
class IngestOutcome:
    """What one run of a job did to its version."""

    document: Document
    version: DocumentVersion
    pages_reused: int = 0
    pages_embedded: int = 0
    chunks_embedded: int = 0


@dataclasses.dataclass(frozen=True, slots=True)
class ProcessIngestion:
    """Parse within the parser's budget, chunk and embed only pages never embedded before,
    then make the version current in one step.

    Safe to run twice for the same job (delivery is at least once): a settled version is left
    alone, and chunks are keyed by content, so a second run adds none twice. Bad input ends
    the version `failed` with the reason; a failure that may pass (the embedding provider
    down) puts it back in the queue with backoff until the policy gives up.

    Each run is one `ingest_seconds` sample by `outcome` (`ready`, `failed`, or `retrying`
    when the job goes back to the queue); a version that settles counts one `ingest_outcomes`
    (`ready` or `failed`, by `media_type`), and a ready one adds its pages to `ingest_pages`.

    Raises:
        RetryLater: deliver the job again after the delay it carries.
        UpstreamError: the document store itself failed; the queue's lease brings the job back.
    """

    repository: DocumentRepository
    index: VectorIndex
    parser: DocumentParser
    tokenizer: Tokenizer
    embedders: Sequence[Embedder]
    """Every configured model, most preferred first: each embeds every fresh chunk."""
    blobs: BlobStore
    cache: AnswerCache
    metrics: Metrics
    chunking: ChunkingPolicy
    retry: RetryPolicy
    tracer: Tracer
    """Receives a span per stage: parse, chunk, and embed and store per batch."""

    async def execute(self, attempt: JobAttempt) -> IngestOutcome | None:
        """The outcome, or None when the job had nothing left to do."""
        job = attempt.job
        try:
            document = await self.repository.get(job.document_id)
        except NotFound:
            return None  # the document was removed after the job was queued
        version = document.version(job.version)
        if version is None or version.settled:
            return None
        version = started(version)
        await self.repository.save_version(document.id, version)
        started_at = time.perf_counter()
        result = "failed"
        try:
            outcome = await self._settle(document, version)
            result = outcome.version.status.value
            return outcome
        except RetryLater:
            result = "retrying"
            raise
        finally:
            seconds = time.perf_counter() - started_at
            self.metrics.observe("ingest_seconds", seconds, tags={"outcome": result})

    async def _settle(self, document: Document, version: DocumentVersion) -> IngestOutcome:
        try:
            return await self._ingest(document, version)
        except (UnprocessableDocument, UnsupportedMediaType, NotFound) as exc:
            return await self._give_up(document, version, exc.detail)
        except UpstreamError as exc:
            return await self._retry_or_give_up(document, version, exc)
        except Exception as exc:
            # A bug, not the file: end the version with a reason rather than leave it to be
            # found stalled and retried forever, then let the worker log the cause.
            await self._give_up(
                document, version, f"ingestion failed unexpectedly ({type(exc).__name__})"
            )
            raise

    async def _ingest(self, document: Document, version: DocumentVersion) -> IngestOutcome:
        try:
            data = await self.blobs.get(version.content_hash)
        except NotFound:
            raise UnprocessableDocument("the uploaded file is missing from blob storage") from None
        timer = time.perf_counter()
        parsing = {"askdocs.media_type": version.media_type}
        with self.tracer.span("parse", attributes=parsing) as span:
            content = await self.parser.parse(data, version.media_type)
            span.set_attributes({"askdocs.pages": len(content.pages)})
        self.metrics.observe("ingest_parse_seconds", time.perf_counter() - timer)
        version = parsed(
            version,
            page_refs(content.pages),
            paginated=content.paginated,
            media_type=content.media_type,
        )
        await self.repository.save_version(document.id, version)
        fresh = _unseen_pages(content.pages, document.known_page_digests())
        reused = len(content.pages) - len(fresh)
        with self.tracer.span("chunk", attributes={"askdocs.pages_reused": reused}) as span:
            chunks = self._chunks(document.id, content.pages, {page.sha256 for page in fresh})
            span.set_attributes({"askdocs.chunks": len(chunks)})
        version, chunk_count = await self._embed(document.id, version, chunks, reused)
        version = finished(version)
        # Searchable before it is reported ready, so a client that asks once it reads
        # `ready` is answered from it (and not from a cached answer of the corpus before).
        await publish_ahead(self.index, self.repository, document.id, version)
        await self.cache.bump_generation()
        await self.repository.save_version(document.id, version)
        # Published again from a fresh read: tags, deletion or a newer version may have
        # changed while this ran.
        current = await sync_liveness(self.index, self.repository, document.id)
        await self.cache.bump_generation()
        self._settled(version)
        self.metrics.observe("ingest_chunks_embedded", chunk_count)
        return IngestOutcome(current, version, reused, len(fresh), chunk_count)

    async def _embed(
        self,
        document_id: str,
        version: DocumentVersion,
        chunks: Sequence[tuple[int, Chunk]],
        reused: int,
    ) -> tuple[DocumentVersion, int]:
        """Embed the chunks (each with the count of fresh pages up to its own) batch by batch
        with every model, saving progress about once a second. A model that fails is left
        out of the rest while another still embeds; the last one failing fails the run."""
        last_saved = time.monotonic()
        version = progressed(version, reused)
        embedding = list(self.embedders)
        for start in range(0, len(chunks), EMBED_BATCH):
            batch = [chunk for _, chunk in chunks[start : start + EMBED_BATCH]]
            for embedder in list(embedding):
                try:
                    await self._embed_batch(embedder, batch)
                except UpstreamError as exc:
                    if len(embedding) == 1:
                        raise  # no model left to make the version searchable: retry it
                    embedding.remove(embedder)
                    self._defer(embedder.model_id, document_id, exc)
            batch_end = chunks[start + len(batch) - 1][0]
            # A page is done once its last chunk is stored; the batch may end inside a page.
            whole_pages = batch_end - (0 if start + len(batch) == len(chunks) else 1)
            version = progressed(version, reused + whole_pages)
            if time.monotonic() - last_saved >= PROGRESS_EVERY_S:
                await self.repository.save_version(document_id, version)
                last_saved = time.monotonic()
        return version, len(chunks)

    async def _embed_batch(self, embedder: Embedder, batch: Sequence[Chunk]) -> None:
        model = embedder.model_id
        timer = time.perf_counter()
        attributes: dict[str, str | int] = {
            "gen_ai.operation.name": "embeddings",
            "gen_ai.request.model": model,
            "askdocs.chunks": len(batch),
        }
        with self.tracer.span("embed", attributes=attributes):
            vectors = await embedder.embed_documents([chunk.embedded_text for chunk in batch])
        self.metrics.observe("ingest_embed_seconds", time.perf_counter() - timer)
        timer = time.perf_counter()
        with self.tracer.span("store", attributes={"askdocs.chunks": len(batch)}):
            await self.index.add(
                [
                    IndexedChunk(chunk=chunk, embedding=vector, embedding_model=model)
                    for chunk, vector in zip(batch, vectors, strict=True)
                ]
            )
        self.metrics.observe("ingest_store_seconds", time.perf_counter() - timer)

    def _defer(self, model: str, document_id: str, error: UpstreamError) -> None:
        """A model that failed while another still embeds: the version goes on without it,
        and the worker's backfill embeds what it missed (`BackfillEmbeddings`)."""
        log.warning(
            "embedding model %s failed for document %s (%s); its vectors are left to the backfill",
            model,
            document_id,
            error.detail,
        )
        self.metrics.increment("ingest_embeddings_deferred", tags={"model": model})

    def _chunks(
        self, document_id: str, pages: Sequence[Page], fresh: set[str]
    ) -> list[tuple[int, Chunk]]:
        """The chunks of the `fresh` pages, each with how many fresh pages end with it.

        Every page is read for its headings, so a fresh page that continues a section of a
        reused one is still labelled with it.
        """
        chunks: list[tuple[int, Chunk]] = []
        trail: HeadingTrail = ()
        done = 0
        for page in pages:
            digest = page.sha256
            drafts, trail = chunk_page(page.text, self.tokenizer.count, self.chunking, trail)
            if digest not in fresh:
                continue
            fresh.discard(digest)  # the same text twice in a file is chunked once
            done += 1
            chunks.extend(
                (
                    done,
                    Chunk(
                        id=chunk_id(document_id, digest, ordinal),
                        document_id=document_id,
                        page_sha256=digest,
                        ordinal=ordinal,
                        text=draft.text,
                        token_count=draft.token_count,
                        section=draft.section,
                    ),
                )
                for ordinal, draft in enumerate(drafts)
            )
        return chunks

    async def _give_up(
        self, document: Document, version: DocumentVersion, reason: str
    ) -> IngestOutcome:
        version = failed(version, reason)
        await self.repository.save_version(document.id, version)
        self._settled(version)
        return IngestOutcome(document, version)

    def _settled(self, version: DocumentVersion) -> None:
        media_type = version.media_type
        outcome = version.status.value
        self.metrics.increment(
            "ingest_outcomes", tags={"outcome": outcome, "media_type": media_type}
        )
        if outcome == "ready":
            self.metrics.increment(
                "ingest_pages", amount=version.page_count, tags={"media_type": media_type}
            )

    async def _retry_or_give_up(
        self, document: Document, version: DocumentVersion, exc: UpstreamError
    ) -> IngestOutcome:
        delay = self.retry.delay_after(version.attempts)
        reason = exc.detail or type(exc).__name__
        if delay is None:
            return await self._give_up(
                document, version, f"gave up after {version.attempts} attempts: {reason}"
            )
        waiting = waiting_to_retry(
            version, f"attempt {version.attempts} failed ({reason}); retrying in {delay:g} s"
        )
        await self.repository.save_version(document.id, waiting)
        raise RetryLater(waiting.error or reason, delay_s=delay) from exc


def _unseen_pages(pages: Sequence[Page], known: frozenset[str]) -> list[Page]:
    """Pages whose text has no chunks yet, each distinct text once."""
    seen = set(known)
    fresh: list[Page] = []
    for page in pages:
        if page.sha256 not in seen:
            seen.add(page.sha256)
            fresh.append(page)
    return fresh
