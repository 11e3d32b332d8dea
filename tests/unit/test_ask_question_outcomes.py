"""Every way a question can end, whole or streamed, is measured once in `ask_seconds` under
its outcome, read back from the real Prometheus adapter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from dependency_injector import providers

from askdocs.application import answer_outcomes as outcome
from askdocs.application.ask_question import (
    AnswerDelta,
    AnswerFailed,
    AnswerFinished,
    AnswerStarted,
    Question,
)
from askdocs.application.errors import UpstreamUnavailable
from askdocs.application.ingest_document import Upload
from askdocs.application.ports import ChatRequest, Delta, StreamEvent
from askdocs.domain.answers import APOLOGY, Completion
from askdocs.domain.errors import InvalidQuestion
from askdocs.domain.principals import Principal
from askdocs.entrypoints.container import Container
from tests.support.chat_routes import ask_seconds_by_outcome
from tests.support.pdf import make_pdf

FACT = "Sourdough starter needs feeding with flour and water every day."
QUESTION = "What does sourdough starter need every day?"


class Unreachable:
    """Every provider down: no text, whole or streamed."""

    name, models, takes_sampling = "down", ("down-1",), False

    async def complete(self, request: ChatRequest) -> Completion:
        raise UpstreamUnavailable("the provider refused the connection")

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        raise UpstreamUnavailable("the provider refused the connection")
        yield  # type: ignore[unreachable]  # makes this a generator


class Midway(Unreachable):
    """Some text, then the provider goes."""

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        yield Delta("Sourdough starter needs")
        raise UpstreamUnavailable("the provider dropped the connection")


@pytest.fixture
async def container(container: Container, editor: Principal) -> Container:
    upload = Upload(data=make_pdf([FACT]), filename="bread.pdf", principal=editor)
    await container.ingest_document().execute(upload)
    return container


def use_model(container: Container, model: object) -> None:
    container.chat_model.override(providers.Object(model))
    container.ask_question.reset()


def ask_seconds(container: Container) -> dict[str, float]:
    counts: dict[str, float] = ask_seconds_by_outcome(container.metrics())
    return counts


async def stream_all(container: Container, question: Question) -> list[Any]:
    return [event async for event in container.ask_question().stream(question)]


async def test_answered_cached_and_declined_questions_are_measured_whole_and_streamed(
    container: Container, reader: Principal
) -> None:
    ask = container.ask_question()

    whole = await ask.execute(Question(QUESTION, reader))
    streamed = await stream_all(container, Question(QUESTION, reader))
    await ask.execute(Question("Who repairs motorbike carburettors?", reader))
    await stream_all(container, Question("Who repairs motorbike carburettors?", reader))

    assert FACT in whole.answer.text
    assert isinstance(streamed[-1], AnswerFinished)
    assert streamed[-1].answer.cached
    assert ask_seconds(container) == {outcome.ANSWERED: 1, outcome.CACHED: 2, outcome.DECLINED: 1}


async def test_an_unreachable_model_is_the_apology_measured_as_degraded_whole_and_streamed(
    container: Container, reader: Principal
) -> None:
    use_model(container, Unreachable())

    whole = await container.ask_question().execute(Question(QUESTION, reader))
    streamed = await stream_all(container, Question(QUESTION, reader))

    assert (whole.answer.text, whole.answer.degraded) == (APOLOGY, True)
    assert [type(e) for e in streamed] == [AnswerStarted, AnswerDelta, AnswerFinished]
    assert streamed[1] == AnswerDelta(APOLOGY)
    assert streamed[-1].answer.degraded
    assert ask_seconds(container) == {outcome.DEGRADED: 2}


async def test_a_refused_question_is_measured_as_refused_whole_and_streamed(
    container: Container, reader: Principal
) -> None:
    with pytest.raises(InvalidQuestion):
        await container.ask_question().execute(Question("   ", reader))
    with pytest.raises(InvalidQuestion):
        await stream_all(container, Question("   ", reader))

    assert ask_seconds(container) == {outcome.REFUSED: 2}


async def test_a_stream_cut_short_is_measured_as_cut_short(
    container: Container, reader: Principal
) -> None:
    use_model(container, Midway())

    streamed = await stream_all(container, Question(QUESTION, reader))

    assert streamed[-1] == AnswerFailed(
        "the answer was cut short: the provider dropped the connection"
    )
    assert ask_seconds(container) == {outcome.CUT_SHORT: 1}


async def test_a_client_that_stops_reading_is_measured_as_cancelled(
    container: Container, reader: Principal
) -> None:
    use_model(container, Midway())
    stream = container.ask_question().stream(Question(QUESTION, reader))

    assert isinstance(await anext(stream), AnswerStarted)
    assert isinstance(await anext(stream), AnswerDelta)
    await stream.aclose()  # type: ignore[attr-defined]

    assert ask_seconds(container) == {outcome.CANCELLED: 1}


async def test_an_unexpected_failure_before_the_answer_started_still_opens_the_stream(
    container: Container, reader: Principal
) -> None:
    class BrokenCache:
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

        async def lookup(self, fingerprint: str) -> Any:
            raise RuntimeError("the cache broke")

    container.cache.override(providers.Object(BrokenCache(container.cache())))

    streamed = await stream_all(container, Question(QUESTION, reader, session_id="s-7"))

    assert streamed[0] == AnswerStarted((), "s-7")
    assert streamed[1] == AnswerDelta(APOLOGY)
    assert isinstance(streamed[2], AnswerFinished)
    assert (streamed[2].session_id, streamed[2].answer.degraded) == ("s-7", True)
    assert ask_seconds(container) == {outcome.DEGRADED: 1}
