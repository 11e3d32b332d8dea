"""EmbeddingReranker: passages scored by the cosine of their vector with the question's."""

from __future__ import annotations

import math
from collections.abc import Sequence

from cachetools import LRUCache

from askdocs.application.ports.embeddings import Embedder


class EmbeddingReranker:
    """Reranker that scores each passage by the cosine of its embedding with the question's.

    With a semantic embedder (`OnnxEmbedder`, ADR 0016) this is a bi-encoder's second look:
    it lifts passages that answer in other words, which the lexical legs of a search rank low.
    A cross-encoder would read question and passage together and judge better, but none ships
    offline in a registry package yet; it would be an adapter beside this one.

    A passage costs far more to embed than a question (on two cores, forty 350-word chunks
    take seconds), and the same passages come back for related questions, so their vectors
    are kept in an LRU cache. The embedder's cut applies: a passage is judged on its first
    `max_tokens` tokens.

    Args:
        embedder: makes the vectors, unit-length as the Embedder port promises.
        cached_passages: how many passages' vectors to keep; 0 keeps none.

    Raises:
        UpstreamUnavailable, UpstreamTimeout: from the embedder.
    """

    def __init__(self, embedder: Embedder, *, cached_passages: int) -> None:
        self._embedder = embedder
        self._cache: LRUCache[str, list[float]] | None = (
            LRUCache(maxsize=cached_passages) if cached_passages > 0 else None
        )

    @property
    def name(self) -> str:
        """`cosine:` and the embedder's model id."""
        return f"cosine:{self._embedder.model_id}"

    async def score(self, question: str, passages: Sequence[str]) -> list[float]:
        """The cosine of each passage's vector with the question's, in [-1, 1], in order."""
        if not passages:
            return []
        query = await self._embedder.embed_query(question)
        vectors = await self._passage_vectors(passages)
        return [math.fsum(q * v for q, v in zip(query, vectors[p], strict=True)) for p in passages]

    async def _passage_vectors(self, passages: Sequence[str]) -> dict[str, list[float]]:
        cache = self._cache if self._cache is not None else {}
        found = {p: cache[p] for p in dict.fromkeys(passages) if p in cache}
        missing = [p for p in dict.fromkeys(passages) if p not in found]
        if missing:
            fresh = dict(zip(missing, await self._embedder.embed_documents(missing), strict=True))
            found.update(fresh)
            cache.update(fresh)
        return found
