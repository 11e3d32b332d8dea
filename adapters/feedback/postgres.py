"""FeedbackStore on PostgreSQL: the `feedback` table (migration 0009)."""

from __future__ import annotations

from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.application.ports.feedback import FeedbackPage, FeedbackQuery
from askdocs.domain.feedback import Feedback, Rating

_INSERT = """
INSERT INTO feedback (id, trace_id, rating, comment, subject, created_at)
VALUES ($1, $2, $3, $4, $5, $6)
"""
# NULL filters match everything; the window count gives the total with the page.
_PAGE = """
SELECT id, trace_id, rating, comment, subject, created_at, count(*) OVER () AS total
FROM feedback
WHERE ($1::text IS NULL OR rating = $1) AND ($2::text IS NULL OR trace_id = $2)
ORDER BY created_at DESC, id DESC
OFFSET $3 LIMIT $4
"""
_COUNT = """
SELECT count(*) FROM feedback
WHERE ($1::text IS NULL OR rating = $1) AND ($2::text IS NULL OR trace_id = $2)
"""


class PostgresFeedbackStore:
    """Feedback rows, newest first by creation time."""

    def __init__(self, database: PostgresDatabase) -> None:
        self._database = database

    async def add(self, feedback: Feedback) -> None:
        async with self._database.connection() as connection:
            await connection.execute(
                _INSERT,
                feedback.id,
                feedback.trace_id,
                feedback.rating.value,
                feedback.comment,
                feedback.subject,
                feedback.created_at,
            )

    async def list(self, query: FeedbackQuery) -> FeedbackPage:
        rating = query.rating.value if query.rating is not None else None
        async with self._database.connection() as connection:
            rows = await connection.fetch(_PAGE, rating, query.trace_id, query.offset, query.limit)
            # A page past the end has no row to carry the total: count alone.
            total = (
                rows[0]["total"]
                if rows
                else await connection.fetchval(_COUNT, rating, query.trace_id)
            )
        items = tuple(
            Feedback(
                id=row["id"],
                trace_id=row["trace_id"],
                rating=Rating(row["rating"]),
                comment=row["comment"],
                subject=row["subject"],
                created_at=row["created_at"],
            )
            for row in rows
        )
        return FeedbackPage(items=items, total=int(total))
