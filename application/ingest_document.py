"""IngestDocument: bytes in, a searchable document version out."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence

from askdocs.application.errors import Conflict, PayloadTooLarge
from askdocs.application.liveness import sync_liveness
from askdocs.application.ports import (
    AnswerCache,
    BlobStore,
    Clock,
    DocumentParser,
    DocumentRepository,
    Embedder,
    IdGenerator,
    IndexedChunk,
    Metrics,
    Tokenizer,
    VectorIndex,
)
from askdocs.domain.chunking import Chunk, ChunkingPolicy, chunk_id
from askdocs.domain.documents import (
    Document,
    DocumentVersion,
    Page,
    content_digest,
    normalise_tags,
    page_refs,
)
from askdocs.domain.principals import Principal

EMBED_BATCH = 64


@dataclasses.dataclass(frozen=True, slots=True)
class IngestReport:
    """What an ingestion did: `created` is false when the bytes were already there."""

    document: Document
    version: DocumentVersion
    created: bool
    pages_reused: int
    pages_embedded: int
    chunks_embedded: int


@dataclasses.dataclass(frozen=True, slots=True)
class Upload:
    """An uploaded file; `document_id` set means a new version of that document."""

    data: bytes
    filename: str
    principal: Principal
    tags: tuple[str, ...] = ()
    document_id: str | None = None
    source_url: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class IngestDocument:
    """Parse, chunk and embed only the pages never seen before, then publish atomically.

    Nothing becomes visible until the version is saved and published, so a failure anywhere
    before that leaves the previous state untouched.

    Raises:
        PayloadTooLarge, UnsupportedMediaType, UnprocessableDocument: the upload is refused.
        NotFound: `document_id` names no document. Conflict: that document is deleted.
        UpstreamError: the embedder or a store failed; nothing was published.
    """

    repository: DocumentRepository
    index: VectorIndex
    parser: DocumentParser
    tokenizer: Tokenizer
    embedder: Embedder
    blobs: BlobStore
    cache: AnswerCache
    metrics: Metrics
    clock: Clock
    ids: IdGenerator
    chunking: ChunkingPolicy
    max_bytes: int

    async def execute(self, upload: Upload) -> IngestReport:
        if len(upload.data) > self.max_bytes:
            raise PayloadTooLarge(
                f"the file is {len(upload.data)} bytes; the limit is {self.max_bytes}",
                limit_bytes=self.max_bytes,
            )
        media_type = self.parser.sniff(upload.data, filename=upload.filename)
        digest = content_digest(upload.data)
        document = await self._target(upload, digest)
        current = document.current if document is not None else None
        if document is not None and current is not None and current.content_hash == digest:
            return IngestReport(document, current, False, current.page_count, 0, 0)
        parsed = await asyncio.to_thread(self.parser.parse, upload.data, media_type)
        await self.blobs.put(digest, upload.data)
        if document is None:
            document = Document(
                id=self.ids.new_id(),
                name=upload.filename,
                created_at=self.clock.now(),
                author=upload.principal.subject,
                tags=normalise_tags(upload.tags),
            )
        fresh = _unseen_pages(parsed.pages, document.known_page_digests())
        chunk_count = await self._embed(document.id, fresh)
        version = DocumentVersion(
            number=document.next_version_number(),
            content_hash=digest,
            media_type=parsed.media_type,
            file_size=len(upload.data),
            uploaded_at=self.clock.now(),
            author=upload.principal.subject,
            pages=page_refs(parsed.pages),
            paginated=parsed.paginated,
            source_url=upload.source_url,
        )
        document = document.with_version(version)
        await self.repository.save(document)
        await sync_liveness(self.index, document)
        await self.cache.bump_generation()
        self.metrics.increment("documents_ingested", tags={"media_type": parsed.media_type})
        self.metrics.observe("ingest_chunks_embedded", chunk_count)
        return IngestReport(
            document=document,
            version=version,
            created=True,
            pages_reused=len(parsed.pages) - len(fresh),
            pages_embedded=len(fresh),
            chunks_embedded=chunk_count,
        )

    async def _target(self, upload: Upload, digest: str) -> Document | None:
        if upload.document_id is None:
            return await self.repository.find_live_by_content(digest)
        document = await self.repository.get(upload.document_id)
        if document.is_deleted:
            raise Conflict(f"document {document.id} is deleted; restore it first")
        return document

    async def _embed(self, document_id: str, pages: Sequence[Page]) -> int:
        chunks = [chunk for page in pages for chunk in self._chunk(document_id, page)]
        for start in range(0, len(chunks), EMBED_BATCH):
            batch = chunks[start : start + EMBED_BATCH]
            vectors = await self.embedder.embed_documents([c.text for c in batch])
            await self.index.add(
                [
                    IndexedChunk(chunk=c, embedding=v, embedding_model=self.embedder.model_id)
                    for c, v in zip(batch, vectors, strict=True)
                ]
            )
        return len(chunks)

    def _chunk(self, document_id: str, page: Page) -> list[Chunk]:
        tokens = self.tokenizer.encode(page.text)
        digest = page.sha256
        return [
            Chunk(
                id=chunk_id(document_id, digest, ordinal),
                document_id=document_id,
                page_sha256=digest,
                ordinal=ordinal,
                text=self.tokenizer.decode(tokens[w.start : w.end]),
                token_count=w.length,
            )
            for ordinal, w in enumerate(self.chunking.windows(len(tokens)))
        ]


def _unseen_pages(pages: Sequence[Page], known: frozenset[str]) -> list[Page]:
    """Pages whose text has no chunks yet, each distinct text once."""
    seen = set(known)
    fresh: list[Page] = []
    for page in pages:
        if page.sha256 not in seen:
            seen.add(page.sha256)
            fresh.append(page)
    return fresh
