"""Both FeedbackStores keep feedback and list it the same way: newest first, filtered, paged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from askdocs.adapters.feedback.memory import InMemoryFeedbackStore
from askdocs.adapters.feedback.postgres import PostgresFeedbackStore
from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.application.ports.feedback import FeedbackQuery, FeedbackStore
from askdocs.domain.feedback import Feedback, InvalidFeedback, Rating

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def feedback(n: int, rating: Rating, trace_id: str = "t1", comment: str = "") -> Feedback:
    return Feedback(f"f{n}", trace_id, rating, comment, "reader", START + timedelta(minutes=n))


class FeedbackStoreContract:
    @pytest.fixture
    def store(self) -> FeedbackStore:
        raise NotImplementedError

    async def test_feedback_is_listed_newest_first_filtered_and_paged(
        self, store: FeedbackStore
    ) -> None:
        for item in (
            feedback(1, Rating.UP, comment="Right, and\nshort."),
            feedback(2, Rating.DOWN, trace_id="t2"),
            feedback(3, Rating.UP, trace_id="t2"),
        ):
            await store.add(item)

        everything = await store.list(FeedbackQuery())
        ups = await store.list(FeedbackQuery(rating=Rating.UP))
        second_trace = await store.list(FeedbackQuery(trace_id="t2", limit=1, offset=1))
        past_the_end = await store.list(FeedbackQuery(offset=10))

        assert [f.id for f in everything.items] == ["f3", "f2", "f1"]
        assert everything.items[2] == feedback(1, Rating.UP, comment="Right, and\nshort.")
        assert everything.total == 3
        assert [f.id for f in ups.items] == ["f3", "f1"]
        assert ([f.id for f in second_trace.items], second_trace.total) == (["f2"], 2)
        assert (past_the_end.items, past_the_end.total) == ((), 3)


class TestInMemoryFeedbackStore(FeedbackStoreContract):
    @pytest.fixture
    def store(self) -> FeedbackStore:
        return InMemoryFeedbackStore()


class TestPostgresFeedbackStore(FeedbackStoreContract):
    @pytest.fixture
    def store(self, postgres: PostgresDatabase) -> FeedbackStore:
        return PostgresFeedbackStore(postgres)


@pytest.mark.parametrize(
    ("trace_id", "comment"), [("", ""), ("a b", ""), ("t", "x" * 2001), ("t", "nul\x00")]
)
def test_feedback_naming_no_answer_or_saying_too_much_is_refused(trace_id, comment) -> None:
    with pytest.raises(InvalidFeedback):
        Feedback("f", trace_id, Rating.UP, comment, "reader", START)
