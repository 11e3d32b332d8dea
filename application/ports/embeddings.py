"""Protocol: Embedder, which turns text into vectors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Embedder(Protocol):
    """Protocol: unit-length vectors of `dim` floats for texts.

    Raises:
        UpstreamUnavailable, UpstreamTimeout: a remote embedding service failed.
    """

    @property
    def model_id(self) -> str:
        """Names the model and its settings; vectors of different ids are never compared."""
        ...

    @property
    def dim(self) -> int:
        """Length of every vector this embedder returns."""
        ...

    async def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in order."""
        ...

    async def embed_query(self, text: str) -> list[float]:
        """The vector to search with for a question."""
        ...
