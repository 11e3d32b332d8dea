"""Protocol: Reranker, the second look at the passages a search found."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Reranker(Protocol):
    """Protocol: scores how well each passage answers a question, to reorder search results.

    A search fuses cheap rankings over the whole index; a reranker looks again at only the
    few dozen best candidates, with features too costly to compute for every chunk.

    Raises:
        UpstreamUnavailable, UpstreamTimeout: a remote or loaded model failed.
    """

    @property
    def name(self) -> str:
        """Names the method and its model, for logs and evaluation reports."""
        ...

    async def score(self, question: str, passages: Sequence[str]) -> list[float]:
        """One relevance score per passage, in order; higher is better.

        Scores are comparable within one call only.
        """
        ...
