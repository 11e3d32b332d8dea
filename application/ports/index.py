"""Protocol: VectorIndex, the searchable store of chunks and their embeddings."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Protocol

from askdocs.domain.answers import Passage
from askdocs.domain.chunking import Chunk


@dataclasses.dataclass(frozen=True, slots=True)
class IndexedChunk:
    """A chunk with its embedding, as written to the index."""

    chunk: Chunk
    embedding: Sequence[float]
    embedding_model: str


@dataclasses.dataclass(frozen=True, slots=True)
class LivePage:
    """A page of a document's current version: only chunks of live pages are searchable."""

    page_sha256: str
    page_no: int | None


@dataclasses.dataclass(frozen=True, slots=True)
class Liveness:
    """What makes a document's chunks searchable, and how they are labelled in results."""

    document_id: str
    document_name: str
    version: int
    tags: tuple[str, ...]
    pages: tuple[LivePage, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class SearchQuery:
    """A hybrid query: the embedding and the text of the question, with filters.

    Without an embedding (None: no embedding model could embed the question) only the text
    ranking runs, over the chunks of `embedding_model`.
    """

    text: str
    embedding: Sequence[float] | None
    embedding_model: str
    k: int = 5
    tags: tuple[str, ...] = ()
    document_ids: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class SearchHit:
    """A live chunk that matched, with its fused score and where it sits.

    `liveness` labels the hit with its document (id, name, version, tags); its `pages` is
    empty, since a hit needs only its own position, `page_no`.
    """

    chunk: Chunk
    score: float
    liveness: Liveness
    page_no: int | None

    def passage(self) -> Passage:
        """The hit as the answerer and the client see it."""
        return Passage(
            chunk_id=self.chunk.id,
            document_id=self.liveness.document_id,
            document=self.liveness.document_name,
            version=self.liveness.version,
            page=self.page_no,
            text=self.chunk.text,
            score=self.score,
            tags=self.liveness.tags,
            section=self.chunk.section,
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Coverage:
    """Which embedding models can search the whole live corpus: `live_chunks` is how many
    distinct chunks of live pages any model holds, `by_model` how many of them each model
    holds (a model with none is absent)."""

    live_chunks: int
    by_model: Mapping[str, int]

    def covers(self, embedding_model: str) -> bool:
        """Whether the model holds every live chunk (an empty corpus is covered by any)."""
        return self.by_model.get(embedding_model, 0) >= self.live_chunks

    def missing(self, embedding_model: str) -> int:
        """Live chunks the model has no vector for."""
        return max(0, self.live_chunks - self.by_model.get(embedding_model, 0))


@dataclasses.dataclass(frozen=True, slots=True)
class TermCounts:
    """How many of a model's `chunks` hold each term, each counted no further than
    `askdocs.domain.evidence.TERM_COUNT_CAP`; a term no chunk holds may be left out."""

    chunks: int
    counts: Mapping[str, int]


class VectorIndex(Protocol):
    """Protocol: chunks with embeddings, made searchable per document by `publish`.

    Chunks are keyed by page content and never change once added; whether they are searchable
    is decided apart from them, so a new version, a deletion or a restore re-embeds nothing.

    Raises:
        UpstreamUnavailable, UpstreamTimeout: the store cannot be reached, or is not set up
            (a database schema not migrated).
    """

    async def add(self, chunks: Sequence[IndexedChunk]) -> None:
        """Store chunks (idempotent on chunk id); they stay hidden until published."""
        ...

    async def publish(self, liveness: Liveness) -> None:
        """Make exactly these pages of the document searchable, replacing what was live."""
        ...

    async def withdraw(self, document_id: str) -> None:
        """Hide every chunk of the document from search (soft delete)."""
        ...

    async def search(self, query: SearchQuery) -> list[SearchHit]:
        """Up to `k` live chunks matching every tag filter, best first (fused vector + text)."""
        ...

    async def term_counts(self, embedding_model: str, terms: Sequence[str]) -> TermCounts:
        """How many chunks of the model hold each of `terms` (lexicon terms), hidden chunks
        included, out of how many: what weighs a question's terms by their rarity."""
        ...

    async def coverage(self) -> Coverage:
        """How many live chunks there are, and how many of them each model has a vector for."""
        ...

    async def chunks_without(
        self, embedding_model: str, *, after: str | None, limit: int
    ) -> list[Chunk]:
        """Up to `limit` live chunks (of any model) with no vector of `embedding_model`, in
        chunk id order, with ids greater than `after`: a backfill pages through them and can
        resume from the last id it stored."""
        ...

    async def drop_model(self, embedding_model: str) -> int:
        """Remove every chunk and vector of the model, and its search index; how many chunks
        went. Searches of the model then find nothing."""
        ...
