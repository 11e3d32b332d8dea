"""VectorIndex in process memory: exact cosine search and BM25, fused by reciprocal rank."""

from __future__ import annotations

import dataclasses
import math
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from askdocs.application.errors import InvalidInput
from askdocs.application.ports.index import (
    IndexedChunk,
    Liveness,
    SearchHit,
    SearchQuery,
    TermCounts,
)
from askdocs.domain.chunking import Chunk
from askdocs.domain.evidence import TERM_COUNT_CAP
from askdocs.domain.lexicon import terms as terms_of

_BLOCK_ROWS = 1024
_K1 = 1.2
_B = 0.75

Vector = npt.NDArray[np.float32]
# chunk id -> the liveness it is searchable through, and the first live page it sits on
_Located = dict[str, tuple[Liveness, int | None]]


class _ModelVectors:
    """Unit vectors of one embedding model, as rows of a matrix grown in blocks."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.rows: dict[str, int] = {}
        self._matrix: Vector = np.zeros((0, dim), dtype=np.float32)

    def unit(self, values: Sequence[float], label: str) -> Vector:
        vector = np.asarray(values, dtype=np.float32)
        if vector.shape != (self.dim,):
            raise InvalidInput(f"{label} has {vector.size} dimensions, the model has {self.dim}")
        norm = float(np.linalg.norm(vector))
        return vector / np.float32(norm) if norm > 0 else vector

    def extend(self, ids: Sequence[str], vectors: Sequence[Vector]) -> None:
        start = len(self.rows)
        needed = start + len(ids)
        if needed > len(self._matrix):
            # Grow by at least a block, and geometrically, so appends stay amortised O(1).
            capacity = max(needed, 2 * len(self._matrix), _BLOCK_ROWS)
            grown = np.zeros((capacity, self.dim), dtype=np.float32)
            grown[:start] = self._matrix[:start]
            self._matrix = grown
        self._matrix[start:needed] = np.stack(vectors)
        self.rows.update((chunk_id, start + i) for i, chunk_id in enumerate(ids))

    def ranking(self, ids: Sequence[str], query: Vector, depth: int) -> list[str]:
        """`ids` (sorted, so ties fall to the smaller id) by cosine similarity to `query`."""
        rows = np.fromiter((self.rows[i] for i in ids), dtype=np.intp, count=len(ids))
        similarity = self._matrix[rows] @ query
        return [ids[i] for i in np.argsort(-similarity, kind="stable")[:depth]]


class InMemoryVectorIndex:
    """Exact hybrid search over chunks held in memory, for the embedded mode and tests.

    Each embedding model has its own matrix, so vectors of different models are never
    compared and the same chunk may be embedded by several models. BM25 statistics (document
    frequencies, average length) are computed over the chunks a query may return: the live,
    filtered set is the corpus being ranked.

    Args:
        rrf_k: the constant in reciprocal rank fusion; larger values flatten rank differences.
        vector_weight: weight of the vector ranking in the fused score.
        text_weight: weight of the lexical (BM25) ranking in the fused score.
        candidates: how many chunks each ranking contributes before fusion (at least `k`).
    """

    def __init__(
        self,
        *,
        rrf_k: int = 60,
        vector_weight: float = 1.0,
        text_weight: float = 1.0,
        candidates: int = 50,
    ) -> None:
        if rrf_k < 0 or candidates < 1:
            raise ValueError("rrf_k must be >= 0 and candidates >= 1")
        self._rrf_k = rrf_k
        self._vector_weight = vector_weight
        self._text_weight = text_weight
        self._candidates = candidates
        self._chunks: dict[str, Chunk] = {}
        self._terms: dict[str, Counter[str]] = {}
        self._lengths: dict[str, int] = {}
        self._page_chunks: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
        self._vectors: dict[str, _ModelVectors] = {}
        self._live: dict[str, Liveness] = {}
        self._term_counts: defaultdict[str, Counter[str]] = defaultdict(Counter)

    async def add(self, chunks: Sequence[IndexedChunk]) -> None:
        stores = dict(self._vectors)
        fresh: defaultdict[str, dict[str, Vector]] = defaultdict(dict)
        for item in chunks:  # validate the whole batch before storing any of it
            model = item.embedding_model
            store = stores.get(model)
            if store is None:
                store = stores[model] = _ModelVectors(len(item.embedding))
            if item.chunk.id not in store.rows:
                vector = store.unit(item.embedding, f"embedding of chunk {item.chunk.id}")
                fresh[model].setdefault(item.chunk.id, vector)
        self._vectors = stores
        for item in chunks:
            self._remember(item.chunk)
        for model, vectors in fresh.items():
            stores[model].extend(list(vectors), list(vectors.values()))
            self._term_counts[model].update(t for i in vectors for t in self._terms[i])

    async def publish(self, liveness: Liveness) -> None:
        self._live[liveness.document_id] = liveness

    async def withdraw(self, document_id: str) -> None:
        self._live.pop(document_id, None)

    async def search(self, query: SearchQuery) -> list[SearchHit]:
        store = self._vectors.get(query.embedding_model)
        if store is None or query.k <= 0:
            return []
        located = self._locate(query, store)
        ids = sorted(located)
        depth = max(self._candidates, query.k)
        fused: defaultdict[str, float] = defaultdict(float)
        query_vector = store.unit(query.embedding, "the query embedding")
        for rank, chunk_id in enumerate(store.ranking(ids, query_vector, depth), start=1):
            fused[chunk_id] += self._vector_weight / (self._rrf_k + rank)
        for rank, chunk_id in enumerate(self._bm25(ids, query.text)[:depth], start=1):
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

    def _remember(self, chunk: Chunk) -> None:
        if chunk.id in self._chunks:
            return
        self._chunks[chunk.id] = chunk
        # A section's terms count twice, as in PostgreSQL's weights (pg_search_sql).
        section = terms_of(chunk.section)
        terms = Counter(terms_of(chunk.text) + section + section)
        self._terms[chunk.id] = terms
        self._lengths[chunk.id] = terms.total()
        self._page_chunks[chunk.document_id, chunk.page_sha256].append(chunk.id)

    def _locate(self, query: SearchQuery, store: _ModelVectors) -> _Located:
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

    def _bm25(self, ids: Sequence[str], text: str) -> list[str]:
        """`ids` holding at least one query term, best BM25 score first, ties by id."""
        query_terms = set(terms_of(text))
        if not query_terms or not ids:
            return []
        count = len(ids)
        average = sum(self._lengths[i] for i in ids) / count or 1.0
        idf: dict[str, float] = {}
        for term in query_terms:
            frequency = sum(1 for i in ids if term in self._terms[i])
            if frequency:
                idf[term] = math.log((count - frequency + 0.5) / (frequency + 0.5) + 1.0)
        scores: dict[str, float] = {}
        for chunk_id in ids:
            terms, norm = self._terms[chunk_id], 1 - _B + _B * self._lengths[chunk_id] / average
            score = sum(
                weight * terms[t] * (_K1 + 1) / (terms[t] + _K1 * norm)
                for t, weight in idf.items()
                if t in terms
            )
            if score > 0:
                scores[chunk_id] = score
        return sorted(scores, key=lambda i: (-scores[i], i))
