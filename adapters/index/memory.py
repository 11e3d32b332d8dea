"""VectorIndex in process memory: exact cosine search and BM25, fused by reciprocal rank."""

from __future__ import annotations

import dataclasses
import heapq
from collections import Counter, defaultdict
from collections.abc import Sequence

from askdocs.adapters.index.memory_terms import ChunkTerms
from askdocs.adapters.index.memory_vectors import ModelVectors, Vector, ranking
from askdocs.adapters.index.search_metrics import measured_search
from askdocs.adapters.tracing.noop import NoopTracer
from askdocs.application.ports.index import (
    Coverage,
    IndexedChunk,
    Liveness,
    SearchHit,
    SearchQuery,
    TermCounts,
)
from askdocs.application.ports.observability import Metrics
from askdocs.application.ports.tracing import Tracer
from askdocs.domain.chunking import Chunk
from askdocs.domain.evidence import TERM_COUNT_CAP

# chunk id -> the liveness it is searchable through, and the first live page it sits on
_Located = dict[str, tuple[Liveness, int | None]]


@dataclasses.dataclass(frozen=True, slots=True)
class _Searchable:
    """What a search of one model ranks: its located chunks, their ids sorted, their vectors
    in that order and their mean length in terms."""

    located: _Located
    ids: list[str]
    matrix: Vector
    average_length: float


class InMemoryVectorIndex:
    """Exact hybrid search over chunks held in memory, for the embedded mode and tests.

    Each embedding model has its own matrix, so vectors of different models are never
    compared and the same chunk may be embedded by several models. BM25 statistics (document
    frequencies, average length) are computed over the chunks a query may return: the live,
    filtered set is the corpus being ranked.
    A query without an embedding is ranked by its text alone.

    Args:
        rrf_k: the constant in reciprocal rank fusion; larger values flatten rank differences.
        vector_weight: weight of the vector ranking in the fused score.
        text_weight: weight of the lexical (BM25) ranking in the fused score.
        candidates: how many chunks each ranking contributes before fusion (at least `k`).
        metrics: receives `vector_search_duration_seconds` and `vector_search_requests` by
            `status` and `model` (search_metrics).
        tracer: receives a span per search, with one per ranking (vector and text) in it.
    """

    def __init__(
        self,
        *,
        rrf_k: int,
        vector_weight: float,
        text_weight: float,
        candidates: int,
        metrics: Metrics | None = None,
        tracer: Tracer | None = None,
    ) -> None:
        if rrf_k < 0 or candidates < 1:
            raise ValueError("rrf_k must be >= 0 and candidates >= 1")
        self._rrf_k = rrf_k
        self._vector_weight = vector_weight
        self._text_weight = text_weight
        self._candidates = candidates
        self._metrics = metrics
        self._tracer: Tracer = tracer or NoopTracer()
        self._chunks: dict[str, Chunk] = {}
        self._terms = ChunkTerms()
        self._page_chunks: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
        self._vectors: dict[str, ModelVectors] = {}
        self._live: dict[str, Liveness] = {}
        self._term_counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
        # Unfiltered searches of a model rank the same chunks until the index changes: what
        # they rank is worked out once and kept until an add, publish or withdraw.
        self._searchable: dict[str, _Searchable] = {}

    async def add(self, chunks: Sequence[IndexedChunk]) -> None:
        stores = dict(self._vectors)
        fresh: defaultdict[str, dict[str, Vector]] = defaultdict(dict)
        for item in chunks:  # validate the whole batch before storing any of it
            model = item.embedding_model
            store = stores.get(model)
            if store is None:
                store = stores[model] = ModelVectors(len(item.embedding))
            if item.chunk.id not in store.rows:
                vector = store.unit(item.embedding, f"embedding of chunk {item.chunk.id}")
                fresh[model].setdefault(item.chunk.id, vector)
        self._vectors = stores
        self._searchable.clear()
        for item in chunks:
            self._remember(item.chunk)
        for model, vectors in fresh.items():
            stores[model].extend(list(vectors), list(vectors.values()))
            self._term_counts[model].update(t for i in vectors for t in self._terms.of(i))

    async def publish(self, liveness: Liveness) -> None:
        self._live[liveness.document_id] = liveness
        self._searchable.clear()

    async def withdraw(self, document_id: str) -> None:
        self._live.pop(document_id, None)
        self._searchable.clear()

    async def search(self, query: SearchQuery) -> list[SearchHit]:
        with (
            measured_search(self._metrics, query.embedding_model),
            self._tracer.span("vector_index.search", attributes=_search_attributes(query)),
        ):
            return self._search(query)

    def _search(self, query: SearchQuery) -> list[SearchHit]:
        store = self._vectors.get(query.embedding_model)
        if store is None or query.k <= 0:
            return []
        searchable = self._searchable_for(query, store)
        located = searchable.located
        depth = max(self._candidates, query.k)
        leg = {"askdocs.index.depth": depth}
        fused: defaultdict[str, float] = defaultdict(float)
        if query.embedding is not None:  # without one, the text ranking alone is the result
            query_vector = store.unit(query.embedding, "the query embedding")
            with self._tracer.span("vector_index.vector_leg", attributes=leg):
                by_vector = ranking(searchable.ids, searchable.matrix, query_vector, depth)
            for rank, chunk_id in enumerate(by_vector, start=1):
                fused[chunk_id] += self._vector_weight / (self._rrf_k + rank)
        with self._tracer.span("vector_index.text_leg", attributes=leg):
            by_text = self._terms.bm25(located, searchable.average_length, query.text, depth)
        for rank, chunk_id in enumerate(by_text, start=1):
            fused[chunk_id] += self._text_weight / (self._rrf_k + rank)
        best = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[: query.k]
        hits = []
        for cid, score in best:
            liveness, page_no = located[cid]
            label = dataclasses.replace(liveness, pages=())  # a hit's place is its page_no
            hits.append(SearchHit(self._chunks[cid], score, label, page_no))
        return hits

    async def term_counts(self, embedding_model: str, terms: Sequence[str]) -> TermCounts:
        store = self._vectors.get(embedding_model)
        counts = self._term_counts[embedding_model]
        return TermCounts(
            chunks=len(store.rows) if store else 0,
            counts={t: min(counts[t], TERM_COUNT_CAP) for t in terms if counts[t]},
        )

    async def coverage(self) -> Coverage:
        live = self._live_chunk_ids()
        by_model = {model: len(live & store.rows.keys()) for model, store in self._vectors.items()}
        return Coverage(
            live_chunks=len(live), by_model={m: held for m, held in by_model.items() if held}
        )

    async def chunks_without(
        self, embedding_model: str, *, after: str | None, limit: int
    ) -> list[Chunk]:
        store = self._vectors.get(embedding_model)
        held = store.rows if store is not None else {}
        lacking = (
            chunk_id
            for chunk_id in self._live_chunk_ids()
            if chunk_id not in held and (after is None or chunk_id > after)
        )
        return [self._chunks[chunk_id] for chunk_id in heapq.nsmallest(max(limit, 0), lacking)]

    async def drop_model(self, embedding_model: str) -> int:
        # A chunk's text and terms stay: they are the same whichever model holds the chunk,
        # and a chunk no model holds any longer is neither live nor counted.
        store = self._vectors.pop(embedding_model, None)
        self._term_counts.pop(embedding_model, None)
        self._searchable.pop(embedding_model, None)
        return len(store.rows) if store is not None else 0

    def _live_chunk_ids(self) -> set[str]:
        """The chunks of live pages that some model holds."""
        stores = list(self._vectors.values())
        return {
            chunk_id
            for liveness in self._live.values()
            for page in liveness.pages
            for chunk_id in self._page_chunks.get((liveness.document_id, page.page_sha256), ())
            if any(chunk_id in store.rows for store in stores)
        }

    def _remember(self, chunk: Chunk) -> None:
        if chunk.id in self._chunks:
            return
        self._chunks[chunk.id] = chunk
        self._terms.remember(chunk.id, chunk.text, chunk.section)
        self._page_chunks[chunk.document_id, chunk.page_sha256].append(chunk.id)

    def _searchable_for(self, query: SearchQuery, store: ModelVectors) -> _Searchable:
        """The chunks `query` ranks; an unfiltered query's are kept for the next one.

        Kept, they cost a second copy of the model's live vectors (1.5 kB a chunk at 384
        dimensions); gathered for each query, they cost about 2.5 ms of a search over 8,000
        chunks, and locating the live chunks as much again.
        """
        filtered = bool(query.tags or query.document_ids)
        kept = None if filtered else self._searchable.get(query.embedding_model)
        if kept is not None:
            return kept
        located = self._locate(query, store)
        ids = sorted(located)
        average = self._terms.total_length(ids) / len(ids) if ids else 0.0
        searchable = _Searchable(located, ids, store.matrix_of(ids), average or 1.0)
        if not filtered:
            self._searchable[query.embedding_model] = searchable
        return searchable

    def _locate(self, query: SearchQuery, store: ModelVectors) -> _Located:
        """Searchable chunks of the query's model, with their liveness and first live page."""
        tags, documents = set(query.tags), set(query.document_ids)
        located: _Located = {}
        for liveness in self._live.values():
            if (documents and liveness.document_id not in documents) or not tags.issubset(
                liveness.tags
            ):
                continue
            for page in liveness.pages:
                for chunk_id in self._page_chunks.get((liveness.document_id, page.page_sha256), ()):
                    if chunk_id in store.rows:
                        located.setdefault(chunk_id, (liveness, page.page_no))
        return located


def _search_attributes(query: SearchQuery) -> dict[str, str | int | bool]:
    return {
        "askdocs.index.k": query.k,
        "askdocs.index.model": query.embedding_model,
        "askdocs.index.filtered": bool(query.tags or query.document_ids),
    }
