"""AskQuestion.stream through the real container: the events a client sees, in order, and what
the answer leaves behind (cache, memory, metrics), for each way an answer can end."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence

import pytest

from askdocs.application.ask_question import (
    AnswerDelta,
    AnswerEvent,
    AnswerFailed,
    AnswerFinished,
    AnswerStarted,
    Question,
)
from askdocs.application.errors import UpstreamUnavailable
from askdocs.application.ports import ChatRequest, Delta, StreamEvent
from askdocs.domain.answers import APOLOGY, NO_ANSWER, Answer, Completion
from askdocs.domain.principals import Principal
from askdocs.entrypoints.container import Container
from tests.unit.test_ask_question import GUIDE, SOURDOUGH, ingest, use_chat_model

MOTORBIKE = "How do I tune the carburettor of a motorbike?"


class StreamingModel:
    """A chat model that streams `pieces`, then ends as told: a Completion citing `cited`, a
    failure, or nothing more."""

    name, models = "scripted", ("scripted-1",)

    def __init__(
        self,
        pieces: Sequence[str] = ("Feed it ", "daily [1]."),
        *,
        cited: tuple[int, ...] = (1, 7),
        failure: Exception | None = None,
        completes: bool = True,
    ) -> None:
        self.pieces, self.cited, self.failure, self.completes = pieces, cited, failure, completes

    async def complete(self, request: ChatRequest) -> Completion:
        raise NotImplementedError

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        for piece in self.pieces:
            yield Delta(piece)
        if self.failure is not None:
            raise self.failure
        if self.completes:
            text = "".join(self.pieces)
            yield Completion(text, self.cited, "scripted-1", self.name, 11, 5)


async def events_of(container: Container, question: Question) -> list[AnswerEvent]:
    return [event async for event in container.ask_question().stream(question)]


def sample(container: Container, name: str, **labels: str) -> float | None:
    return container.metrics().registry.get_sample_value(f"askdocs_{name}", labels)


async def test_a_streamed_answer_is_its_pieces_then_the_answer_as_cited_and_remembered(
    container: Container, editor: Principal, reader: Principal
) -> None:
    await ingest(container, editor, GUIDE, "kitchen.pdf")
    use_chat_model(container, StreamingModel())

    events = await events_of(container, Question(SOURDOUGH, reader, session_id="s3"))

    started, *deltas, finished = events
    assert isinstance(started, AnswerStarted)
    assert started.session_id == "s3"
    assert started.sources
    assert deltas == [AnswerDelta("Feed it "), AnswerDelta("daily [1].")]
    assert isinstance(finished, AnswerFinished)
    assert (finished.session_id, finished.cited) == ("s3", (1,))  # [7] names no source
    assert (finished.prompt_tokens, finished.completion_tokens) == (11, 5)
    answer = finished.answer
    assert (answer.text, answer.model, answer.provider) == (
        "Feed it daily [1].",
        "scripted-1",
        "scripted",
    )
    assert (answer.answered, answer.cached, answer.degraded) == (True, False, False)
    assert answer.sources == started.sources[:1]
    conversation = await container.conversations().get("s3", reader.subject)
    assert conversation is not None
    assert [t.question for t in conversation.turns] == [SOURDOUGH]
    assert sample(container, "ask_seconds_count", outcome="answered") == 1


async def test_a_cached_answer_streams_whole_in_one_piece(
    container: Container, editor: Principal, reader: Principal
) -> None:
    await ingest(container, editor, GUIDE, "kitchen.pdf")
    use_chat_model(container, StreamingModel())
    first = await events_of(container, Question(SOURDOUGH, reader))

    again = await events_of(container, Question(SOURDOUGH, reader))

    stored = first[-1]
    assert isinstance(stored, AnswerFinished)
    started, delta, finished = again
    assert isinstance(started, AnswerStarted)
    assert started.sources == stored.answer.sources
    assert isinstance(delta, AnswerDelta)
    assert isinstance(finished, AnswerFinished)
    assert delta.text == finished.answer.text
    assert finished.answer.cached is True
    assert (finished.session_id, finished.cited) == (started.session_id, (1,))


@pytest.mark.parametrize(("model", "shown"), [(None, "none"), ("scripted-1", "scripted-1")])
async def test_with_no_documents_the_stream_says_so_at_once(
    container: Container, reader: Principal, model: str | None, shown: str
) -> None:
    use_chat_model(container, StreamingModel())

    events = await events_of(container, Question(SOURDOUGH, reader, model=model))

    started = events[0]
    assert isinstance(started, AnswerStarted)
    assert events == [
        AnswerStarted((), started.session_id),
        AnswerDelta(NO_ANSWER),
        AnswerFinished(
            Answer(NO_ANSWER, (), shown, "none", answered=False), started.session_id, ()
        ),
    ]


@pytest.mark.parametrize(("model", "shown"), [(None, "none"), ("scripted-1", "scripted-1")])
async def test_a_provider_failing_before_any_text_streams_the_apology(
    container: Container,
    editor: Principal,
    reader: Principal,
    caplog: pytest.LogCaptureFixture,
    model: str | None,
    shown: str,
) -> None:
    await ingest(container, editor, GUIDE, "kitchen.pdf")
    use_chat_model(container, StreamingModel((), failure=UpstreamUnavailable("no route to host")))

    events = await events_of(container, Question(SOURDOUGH, reader, model=model))

    started = events[0]
    assert isinstance(started, AnswerStarted)
    assert events[1:] == [
        AnswerDelta(APOLOGY),
        AnswerFinished(Answer(APOLOGY, (), shown, "none", degraded=True), started.session_id, ()),
    ]
    assert sample(container, "answers_degraded_total") == 1
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "answering failed: no route to host" in warnings


async def test_a_failure_without_detail_is_logged_by_its_kind(
    container: Container, editor: Principal, reader: Principal, caplog: pytest.LogCaptureFixture
) -> None:
    await ingest(container, editor, GUIDE, "kitchen.pdf")
    use_chat_model(container, StreamingModel((), failure=UpstreamUnavailable()))

    await events_of(container, Question(SOURDOUGH, reader))

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "answering failed: UpstreamUnavailable" in warnings


@pytest.mark.parametrize(("model", "shown"), [(None, "none"), ("scripted-1", "scripted-1")])
async def test_a_question_the_documents_do_not_cover_streams_the_declining_answer(
    container: Container, editor: Principal, reader: Principal, model: str | None, shown: str
) -> None:
    await ingest(container, editor, GUIDE, "kitchen.pdf")
    use_chat_model(container, StreamingModel())

    events = await events_of(container, Question(MOTORBIKE, reader, model=model))

    started, delta, finished = events
    assert isinstance(started, AnswerStarted)
    assert isinstance(finished, AnswerFinished)
    answer = finished.answer
    assert delta == AnswerDelta(answer.text)
    assert (answer.model, answer.provider, answer.answered) == (shown, "none", False)
    assert answer.sources == started.sources[: len(answer.sources)]
    assert finished.cited == tuple(range(1, len(answer.sources) + 1))
    assert sample(container, "answers_declined_total") == 1


async def test_a_provider_failing_after_text_ends_the_stream_with_the_reason(
    container: Container, editor: Principal, reader: Principal
) -> None:
    await ingest(container, editor, GUIDE, "kitchen.pdf")
    failure = UpstreamUnavailable("the provider dropped the connection")
    use_chat_model(container, StreamingModel(("Feed it",), failure=failure))

    events = await events_of(container, Question(SOURDOUGH, reader))

    assert events[1:] == [
        AnswerDelta("Feed it"),
        AnswerFailed("the answer was cut short: the provider dropped the connection"),
    ]
    assert sample(container, "answers_failed_midway_total") == 1


async def test_a_stream_that_ends_without_its_completion_fails(
    container: Container, editor: Principal, reader: Principal
) -> None:
    await ingest(container, editor, GUIDE, "kitchen.pdf")
    use_chat_model(container, StreamingModel(("Feed it",), completes=False))

    events = await events_of(container, Question(SOURDOUGH, reader, session_id="s4"))

    assert events[1:] == [
        AnswerDelta("Feed it"),
        AnswerFailed("the answer was cut short: the model's answer ended before it was complete"),
    ]
    assert await container.conversations().get("s4", reader.subject) is None
