"""GiveFeedback and ListFeedback through the real container, on a fixed clock."""

from __future__ import annotations

from askdocs.application.ports.feedback import FeedbackQuery
from askdocs.domain.feedback import Rating
from askdocs.domain.principals import Principal
from askdocs.entrypoints.container import Container
from tests.unit.conftest import FixedClock


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
