"""The in-memory index's vector side: one model's unit vectors, and the exact ranking by them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from askdocs.application.errors import InvalidInput

_BLOCK_ROWS = 1024

Vector = npt.NDArray[np.float32]
Rows = npt.NDArray[np.intp]


class ModelVectors:
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

    def matrix_of(self, ids: Sequence[str]) -> Vector:
        """The vectors of `ids`, as a matrix of their own in that order."""
        rows: Rows = np.fromiter((self.rows[i] for i in ids), dtype=np.intp, count=len(ids))
        return self._matrix[rows]


def ranking(ids: Sequence[str], matrix: Vector, query: Vector, depth: int) -> list[str]:
    """The first `depth` of `ids` (sorted, so ties fall to the smaller id) by cosine similarity
    to `query`; `matrix` holds their unit vectors in the same order.

    The similarities are always computed over a matrix of exactly these rows: BLAS may round
    a row's dot product differently in a larger matrix, and a last-bit difference can swap
    two chunks.
    """
    distance = -(matrix @ query)
    return [ids[i] for i in _first(distance, depth)]


def _first(values: npt.NDArray[np.float32], depth: int) -> Rows:
    """What `np.argsort(values, kind="stable")[:depth]` returns, without sorting every value:
    the ones up to the depth-th smallest, in value then index order."""
    if depth <= 0:
        return np.zeros(0, dtype=np.intp)
    if depth >= len(values):
        return np.argsort(values, kind="stable")[:depth]
    cut = np.partition(values, depth - 1)[depth - 1]
    if np.isnan(cut):  # NaN sorts last: too few numbers to cut at
        return np.argsort(values, kind="stable")[:depth]
    candidates = np.flatnonzero(values <= cut)  # in index order, which the stable sort keeps
    order = np.argsort(values[candidates], kind="stable")
    result: Rows = candidates[order][:depth]
    return result
