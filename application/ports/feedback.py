"""Protocol: FeedbackStore, the ratings people gave answers."""

from __future__ import annotations

import dataclasses
from typing import Protocol

from askdocs.domain.feedback import Feedback, Rating


@dataclasses.dataclass(frozen=True, slots=True)
class FeedbackQuery:
    """Which feedback to list (all filters must match), newest first, and which page."""

    rating: Rating | None = None
    trace_id: str | None = None
    offset: int = 0
    limit: int = 50


@dataclasses.dataclass(frozen=True, slots=True)
class FeedbackPage:
    """One page of feedback and how much matched in all."""

    items: tuple[Feedback, ...]
    total: int


class FeedbackStore(Protocol):
    """Protocol: keeps feedback and lists it.

    Raises:
        UpstreamUnavailable: the store cannot be written or read (unreachable, or a database
            schema not migrated).
    """

    async def add(self, feedback: Feedback) -> None:
        """Keep `feedback` (a new id each time: nothing is replaced)."""
        ...

    async def list(self, query: FeedbackQuery) -> FeedbackPage:
        """The feedback matching `query`, newest first."""
        ...
