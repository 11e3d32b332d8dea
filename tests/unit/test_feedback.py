"""GiveFeedback and ListFeedback through the real container, on a fixed clock."""

from __future__ import annotations

import pytest

from askdocs.application.ports.feedback import FeedbackQuery
from askdocs.domain.feedback import MAX_COMMENT_CHARS, Feedback, InvalidFeedback, Rating
from askdocs.domain.principals import Principal
from askdocs.entrypoints.container import Container
from tests.unit.conftest import START, FixedClock


async def test_a_rating_is_kept_with_its_author_time_and_trimmed_comment(
    container: Container, reader: Principal, clock: FixedClock
) -> None:
    given = await container.give_feedback().execute(
        reader, "trace-1", Rating.DOWN, "  cites the wrong page \n"
    )

    assert (given.trace_id, given.rating, given.comment) == (
        "trace-1",
        Rating.DOWN,
        "cites the wrong page",
    )
    assert (given.subject, given.created_at) == (reader.subject, clock.now())
    listed = await container.list_feedback().execute(FeedbackQuery())
    assert listed.items == (given,)
    assert listed.total == 1


async def test_each_rating_gets_an_id_of_its_own_and_the_list_filters_by_rating(
    container: Container, reader: Principal, editor: Principal
) -> None:
    up = await container.give_feedback().execute(reader, "trace-1", Rating.UP)
    down = await container.give_feedback().execute(editor, "trace-1", Rating.DOWN)

    assert up.id != down.id
    assert up.comment == ""
    downs = await container.list_feedback().execute(FeedbackQuery(rating=Rating.DOWN))
    assert downs.items == (down,)


def feedback(*, trace_id: str = "trace-1", comment: str = "") -> Feedback:
    return Feedback("f1", trace_id, Rating.UP, comment, "bob", START)


def test_a_comment_may_be_as_long_as_the_limit_and_hold_line_breaks_and_tabs() -> None:
    assert len(feedback(comment="x" * MAX_COMMENT_CHARS).comment) == MAX_COMMENT_CHARS
    assert feedback(comment="first line\n\tsecond line").comment == "first line\n\tsecond line"


@pytest.mark.parametrize(
    ("trace_id", "comment", "reason"),
    [
        ("trace 1", "", "trace_id must be the id of an answer (letters, digits, . _ -)"),
        ("t" * 129, "", "trace_id must be the id of an answer (letters, digits, . _ -)"),
        ("trace-1", "x" * (MAX_COMMENT_CHARS + 1), "the comment is longer than 2000 characters"),
        ("trace-1", "ring \x07 the bell", "the comment holds control characters"),
    ],
)
def test_a_malformed_trace_id_or_comment_is_refused_with_the_reason(
    trace_id: str, comment: str, reason: str
) -> None:
    with pytest.raises(InvalidFeedback) as refused:
        feedback(trace_id=trace_id, comment=comment)

    assert str(refused.value) == reason
