"""A streamed answer as Server-Sent Events: `meta`, `delta`..., then `done` or `error`.

Litestar's ServerSentEvent sends the events and cancels the generator when the client goes,
which closes the model's stream and drops its upstream request. While the model is silent
(a slow first token), a comment line goes out every `ping_s` seconds so that proxies keep the
connection open.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, TypeVar

import msgspec
from litestar.response import ServerSentEventMessage

from askdocs.application.ask_question import (
    AnswerDelta,
    AnswerEvent,
    AnswerFinished,
    AnswerStarted,
)
from askdocs.entrypoints.http.schemas import Out, Source

PING_S = 15.0
T = TypeVar("T")


class Meta(Out, frozen=True):
    session_id: str
    sources: list[Source]
    trace_id: str


class DeltaData(Out, frozen=True):
    text: str


class Usage(Out, frozen=True):
    prompt_tokens: int
    completion_tokens: int


class Done(Out, frozen=True):
    session_id: str
    provider: str
    model: str
    cached: bool
    degraded: bool
    cited: list[int]
    usage: Usage
    trace_id: str
    warnings: list[str]
    answered: bool
    sources: list[Source]
    """The sources cited, as in a whole reply: with the quote's place in each snippet."""


class Error(Out, frozen=True):
    detail: str
    trace_id: str


_encode = msgspec.json.Encoder().encode


def _message(event: str, data: Out) -> ServerSentEventMessage:
    return ServerSentEventMessage(event=event, data=_encode(data).decode())


def sse_message(event: AnswerEvent, trace_id: str) -> ServerSentEventMessage:
    """One answer event as its SSE message."""
    if isinstance(event, AnswerStarted):
        sources = [Source.of(p) for p in event.sources]
        return _message("meta", Meta(event.session_id, sources, trace_id))
    if isinstance(event, AnswerDelta):
        return _message("delta", DeltaData(event.text))
    if isinstance(event, AnswerFinished):
        answer = event.answer
        usage = Usage(event.prompt_tokens, event.completion_tokens)
        done = Done(
            session_id=event.session_id,
            provider=answer.provider,
            model=answer.model,
            cached=answer.cached,
            degraded=answer.degraded,
            cited=list(event.cited),
            usage=usage,
            trace_id=trace_id,
            warnings=list(answer.warnings),
            answered=answer.answered,
            sources=[Source.of(p) for p in answer.sources],
        )
        return _message("done", done)
    return _message("error", Error(event.detail, trace_id))


async def answer_stream(
    first: AnswerEvent,
    events: AsyncIterator[AnswerEvent],
    *,
    trace_id: str,
    ping_s: float = PING_S,
) -> AsyncIterator[ServerSentEventMessage]:
    """The SSE messages of a streamed answer whose first event is already in hand. How a
    failure ends the answer is the application's to say (the apology, or AnswerFailed)."""
    yield sse_message(first, trace_id)
    async for event in with_pings(events, ping_s):
        if event is None:
            yield ServerSentEventMessage(data=None, comment="ping")
        else:
            yield sse_message(event, trace_id)


async def with_pings(items: AsyncIterator[T], interval_s: float) -> AsyncIterator[T | None]:
    """`items`, with None whenever `interval_s` passes without one.

    One task reads `items` into a queue and another wakes every `interval_s` to ask for a ping
    if nothing went out meanwhile, so an item costs a queue hand-over, not a timer or a task
    of its own. Closing this generator (the client left) cancels the reader, which closes
    `items` and with it the model's stream.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
    last_sent = loop.time()

    async def read() -> None:
        try:
            async for item in items:
                queue.put_nowait(("item", item))
        except Exception as exc:  # noqa: BLE001 - handed to the consumer, raised there
            queue.put_nowait(("error", exc))
        else:
            queue.put_nowait(("end", None))
        finally:
            close = getattr(items, "aclose", None)
            if close is not None:
                await close()

    async def beat() -> None:
        while True:
            await asyncio.sleep(interval_s)
            if loop.time() - last_sent >= interval_s * 0.99:
                queue.put_nowait(("ping", None))

    reader, beater = asyncio.create_task(read()), asyncio.create_task(beat())
    try:
        while True:
            kind, value = await queue.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            last_sent = loop.time()
            yield value if kind == "item" else None
    finally:
        for task in (reader, beater):
            task.cancel()
        await asyncio.gather(reader, beater, return_exceptions=True)
