"""POST /api/v1/feedback (a rating of an answer) and GET /api/v1/feedback (admins)."""

from __future__ import annotations

from typing import Any, Literal

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody, Parameter

from askdocs.application.feedback import GiveFeedback, ListFeedback
from askdocs.application.ports.feedback import FeedbackQuery
from askdocs.domain.feedback import Rating
from askdocs.domain.principals import Principal, Role
from askdocs.entrypoints.http.openapi import JSON_BODY, documented
from askdocs.entrypoints.http.schemas import FeedbackBody, FeedbackOut, FeedbackPageOut
from askdocs.entrypoints.http.security import requires


class FeedbackController(Controller):
    """Ratings of answers, by their trace id."""

    path = "/api/v1/feedback"
    request_max_body_size = 16 * 1024  # a comment is at most 2,000 characters; not the upload limit
    tags = ["feedback"]

    @post("/", guards=[requires(Role.READER)], status_code=201, **documented(*JSON_BODY))
    async def give(
        self,
        data: JSONBody[FeedbackBody],
        request: Request[Principal, str, Any],
        give_feedback: NamedDependency[GiveFeedback],
    ) -> FeedbackOut:
        """Rate the answer whose `trace_id` a chat returned: `up` or `down`, with an optional
        comment of up to 2,000 characters (MAX_COMMENT_CHARS). 201 with the feedback kept."""
        kept = await give_feedback.execute(
            request.user, data.trace_id, Rating(data.rating), data.comment
        )
        return FeedbackOut.of(kept)

    @get("/", guards=[requires(Role.ADMIN)], **documented(403, 422))
    async def list_all(
        self,
        list_feedback: NamedDependency[ListFeedback],
        rating: FromQuery[Literal["up", "down"] | None] = None,
        trace_id: str | None = Parameter(default=None, max_length=128),
        offset: int = Parameter(default=0, ge=0, le=1_000_000),
        limit: int = Parameter(default=50, ge=1, le=200),
    ) -> FeedbackPageOut:
        """Feedback newest first, filtered by rating and trace id (admins)."""
        query = FeedbackQuery(
            rating=Rating(rating) if rating else None,
            trace_id=trace_id,
            offset=offset,
            limit=limit,
        )
        page = await list_feedback.execute(query)
        return FeedbackPageOut(
            items=[FeedbackOut.of(f) for f in page.items],
            total=page.total,
            offset=offset,
            limit=limit,
        )
