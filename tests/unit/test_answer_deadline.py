"""AnswerDeadline: a chat's model call ends by its deadline however many providers the router
tries; a stream need only have begun by then."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from askdocs.adapters.metrics.noop import NoopMetrics
from askdocs.adapters.providers.memory import InMemoryProviderHealth
from askdocs.adapters.tracing.noop import NoopTracer
from askdocs.application.answer_deadline import AnswerDeadline
from askdocs.application.errors import UpstreamTimeout
from askdocs.application.ports import ChatRequest, Delta, StreamEvent
from askdocs.application.provider_router import ProviderRouter
from askdocs.domain.answers import Completion
from askdocs.entrypoints.settings import LlmSettings

REQUEST = ChatRequest(question="q", passages=())


class Provider:
    """A ChatModel that waits `delay_s` before its answer (and before each piece after the
    first, when streaming)."""

    def __init__(self, name: str, *, delay_s: float = 0.0, gap_s: float = 0.0) -> None:
        self.name, self.models, self.takes_sampling = name, ("m",), False
        self.delay_s, self.gap_s = delay_s, gap_s
        self.calls = 0
        self.closed = False

    async def complete(self, request: ChatRequest) -> Completion:
        self.calls += 1
        await asyncio.sleep(self.delay_s)
        return Completion("answer", (), "m", self.name)

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        self.calls += 1
        try:
            await asyncio.sleep(self.delay_s)
            yield Delta("an")
            await asyncio.sleep(self.gap_s)
            yield Delta("swer")
            yield Completion("answer", (), "m", self.name)
        finally:
            self.closed = True


def hanging_router(*, each_s: float) -> tuple[ProviderRouter, list[Provider]]:
    """Three providers that each take an hour, tried in turn for `each_s` seconds each."""
    providers = [Provider(name, delay_s=3600) for name in ("first", "second", "third")]
    health = InMemoryProviderHealth()
    cooldown_s = LlmSettings().cooldown_s
    router = ProviderRouter(
        providers,
        health,
        NoopMetrics(),
        timeout_s=each_s,
        cooldown_s=cooldown_s,
        tracer=NoopTracer(),
    )
    return router, providers


async def test_three_slow_providers_end_at_the_deadline_not_at_three_timeouts() -> None:
    router, providers = hanging_router(each_s=0.5)
    started = time.monotonic()

    with pytest.raises(UpstreamTimeout, match=r"deadline of 0\.6 s"):
        await AnswerDeadline.starting_now(0.6).complete(router, REQUEST)

    elapsed = time.monotonic() - started
    assert 0.55 < elapsed < 1.2  # three timeouts would be 1.5 s
    assert [p.calls for p in providers] == [1, 1, 0]
    # the first timed out and cools down; the second was cut short, not found failing
    assert [await router.health.is_cooling_down(p.name) for p in providers[:2]] == [True, False]


async def test_an_answer_within_the_deadline_is_the_answer() -> None:
    completion = await AnswerDeadline.starting_now(1.0).complete(
        Provider("quick", delay_s=0.01), REQUEST
    )

    assert completion.text == "answer"


async def test_a_timeout_the_model_raises_itself_is_not_taken_for_the_deadline() -> None:
    class TimingOut(Provider):
        async def complete(self, request: ChatRequest) -> Completion:
            raise TimeoutError

    with pytest.raises(TimeoutError) as raised:
        await AnswerDeadline.starting_now(5.0).complete(TimingOut("own"), REQUEST)

    assert not isinstance(raised.value, UpstreamTimeout)


async def test_a_stream_that_has_not_begun_by_the_deadline_ends_and_is_closed() -> None:
    router, providers = hanging_router(each_s=0.5)
    started = time.monotonic()

    with pytest.raises(UpstreamTimeout):
        async for _ in AnswerDeadline.starting_now(0.6).stream(router, REQUEST):
            pass

    assert time.monotonic() - started < 1.2  # three timeouts would be 1.5 s
    assert all(p.closed for p in providers if p.calls)


async def test_a_stream_begun_before_the_deadline_may_finish_after_it() -> None:
    slow_writer = Provider("writer", delay_s=0.01, gap_s=0.3)

    events = [e async for e in AnswerDeadline.starting_now(0.1).stream(slow_writer, REQUEST)]

    assert [e.text for e in events if isinstance(e, Delta)] == ["an", "swer"]
    assert isinstance(events[-1], Completion)


async def test_leaving_a_stream_early_closes_the_models_stream() -> None:
    provider = Provider("writer", gap_s=0.01)
    events = AnswerDeadline.starting_now(1.0).stream(provider, REQUEST)

    assert isinstance(await anext(events), Delta)
    await events.aclose()

    assert provider.closed
