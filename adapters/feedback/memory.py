"""FeedbackStore in process memory, for the embedded mode and tests."""

from __future__ import annotations

from askdocs.application.ports.feedback import FeedbackPage, FeedbackQuery
from askdocs.domain.feedback import Feedback


class InMemoryFeedbackStore:
    """Feedback in a list, oldest first; lost when the process ends."""

    def __init__(self) -> None:
        self._kept: list[Feedback] = []

    async def add(self, feedback: Feedback) -> None:
        self._kept.append(feedback)

    async def list(self, query: FeedbackQuery) -> FeedbackPage:
        matching = [
            f
            for f in reversed(self._kept)
            if (query.rating is None or f.rating == query.rating)
            and (query.trace_id is None or f.trace_id == query.trace_id)
        ]
        page = matching[query.offset : query.offset + query.limit]
        return FeedbackPage(items=tuple(page), total=len(matching))
