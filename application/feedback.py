"""GiveFeedback and ListFeedback: a rating of an answer, and the ratings for admins."""

from __future__ import annotations

import dataclasses

from askdocs.application.ports import Clock, IdGenerator
from askdocs.application.ports.feedback import FeedbackPage, FeedbackQuery, FeedbackStore
from askdocs.domain.feedback import Feedback, Rating
from askdocs.domain.principals import Principal


@dataclasses.dataclass(frozen=True, slots=True)
class GiveFeedback:
    """Keep a principal's rating of the answer traced by `trace_id`.

    Raises:
        InvalidFeedback: a malformed trace id or comment.
        UpstreamUnavailable: the store failed.
    """

    store: FeedbackStore
    clock: Clock
    ids: IdGenerator

    async def execute(
        self, principal: Principal, trace_id: str, rating: Rating, comment: str = ""
    ) -> Feedback:
        feedback = Feedback(
            id=self.ids.new_id(),
            trace_id=trace_id,
            rating=rating,
            comment=comment.strip(),
            subject=principal.subject,
            created_at=self.clock.now(),
        )
        await self.store.add(feedback)
        return feedback


@dataclasses.dataclass(frozen=True, slots=True)
class ListFeedback:
    """The feedback matching a query, newest first."""

    store: FeedbackStore

    async def execute(self, query: FeedbackQuery) -> FeedbackPage:
        return await self.store.list(query)
