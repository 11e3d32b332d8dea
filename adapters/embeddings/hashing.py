"""HashingEmbedder: feature-hashed bags of words, a model-free embedder for tests and demos."""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

MIN_DIM = 8
_WORD = re.compile(r"\w+")
_UNIGRAM_WEIGHT = 1.0
_BIGRAM_WEIGHT = 0.5
_EMPTY_FEATURE = ""


class HashingEmbedder:
    """Embedder that hashes lower-cased words and word pairs into `dim` signed slots.

    Texts that share words get similar vectors, with no model, no network and no state, so
    vectors are the same on every machine. It knows no synonyms: it is for tests, demos and
    keyword-like search, not for semantic retrieval.

    Args:
        dim: Length of the vectors, at least 8.

    Raises:
        ValueError: `dim` is below 8.
    """

    def __init__(self, dim: int) -> None:
        if dim < MIN_DIM:
            raise ValueError(f"the hashing embedder needs at least {MIN_DIM} dimensions, not {dim}")
        self._dim = dim

    @property
    def model_id(self) -> str:
        """`hashing-v1-<dim>`: vectors of other versions or lengths are not comparable."""
        return f"hashing-v1-{self._dim}"

    @property
    def dim(self) -> int:
        """Length of every vector."""
        return self._dim

    async def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit vector per text, in order."""
        return [self._embed(text) for text in texts]

    async def embed_query(self, text: str) -> list[float]:
        """The unit vector of a question, made the same way as a document's."""
        return self._embed(text)

    def _embed(self, text: str) -> list[float]:
        words = _WORD.findall(text.lower())
        weights: Counter[str] = Counter(words)
        bigrams = Counter(f"{a} {b}" for a, b in itertools.pairwise(words))
        vector = np.zeros(self._dim, dtype=np.float32)
        for features, weight in ((weights, _UNIGRAM_WEIGHT), (bigrams, _BIGRAM_WEIGHT)):
            for feature, tf in features.items():
                index, sign = _slot(feature, self._dim)
                vector[index] += sign * weight * (1.0 + math.log(tf))
        norm = np.linalg.norm(vector)
        if not np.isfinite(norm) or norm == 0:
            # No words, or signs that cancelled out: a fixed unit vector keeps every output
            # unit-length, which cosine search relies on.
            vector[:] = 0
            vector[_slot(_EMPTY_FEATURE, self._dim)[0]] = 1
            return [float(x) for x in vector.tolist()]
        return [float(x) for x in (vector / norm).tolist()]


@functools.lru_cache(maxsize=65536)
def _slot(feature: str, dim: int) -> tuple[int, float]:
    """Where a feature lands and with which sign: independent bits of one stable digest."""
    digest = hashlib.blake2b(feature.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    h = int.from_bytes(digest, "big")
    return h % dim, -1.0 if h >> 63 else 1.0
