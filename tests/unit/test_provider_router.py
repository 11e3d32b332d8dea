"""ProviderRouter: failover order, cooldowns, what does not fail over, streams, model choice."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence

import pytest

from askdocs.adapters.metrics.noop import NoopMetrics
from askdocs.adapters.metrics.prometheus import PrometheusMetrics
from askdocs.adapters.providers.memory import InMemoryProviderHealth
from askdocs.adapters.tracing.noop import NoopTracer
from askdocs.application.errors import (
    InvalidInput,
    UpstreamAuthFailed,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamUnavailable,
)
from askdocs.application.ports import ChatRequest, Delta, StreamEvent
from askdocs.application.provider_router import ProviderRouter
from askdocs.domain.answers import Completion
from askdocs.entrypoints.settings import LlmSettings
from tests.support.timers import FakeTimer

REQUEST = ChatRequest(question="q", passages=())


class ScriptedProvider:
    """A ChatModel that answers, fails, hangs or fails midway, and counts its calls."""

    def __init__(
        self,
        name: str,
        *,
        models: Sequence[str] = ("m",),
        error: Exception | None = None,
        hang: bool = False,
        fail_after: int | None = None,
        pieces: Sequence[str] = ("an", "swer"),
    ) -> None:
        self.name = name
        self.models = tuple(models)
        self.error, self.hang, self.fail_after = error, hang, fail_after
        self.pieces = pieces
        self.calls = 0
        self.closed = False

    async def complete(self, request: ChatRequest) -> Completion:
        self.calls += 1
        if self.hang:
            await asyncio.sleep(3600)
        if self.error is not None:
            raise self.error
        return Completion("".join(self.pieces), (), request.model or self.models[0], self.name)

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        self.calls += 1
        try:
            if self.hang:
                await asyncio.sleep(3600)
            if self.error is not None and self.fail_after is None:
                raise self.error
            for n, piece in enumerate(self.pieces):
                if self.fail_after is not None and n == self.fail_after:
                    raise self.error or UpstreamUnavailable("broke")
                yield Delta(piece)
            yield Completion("".join(self.pieces), (), self.models[0], self.name)
        finally:
            self.closed = True


def router(
    *providers: ScriptedProvider, timer: FakeTimer | None = None, timeout_s: float = 5.0
) -> ProviderRouter:
    health = InMemoryProviderHealth(timer=timer or FakeTimer())
    return ProviderRouter(
        providers, health, NoopMetrics(), timeout_s=timeout_s, cooldown_s=300.0, tracer=NoopTracer()
    )


async def streamed(events: AsyncIterator[StreamEvent]) -> list[StreamEvent]:
    return [event async for event in events]


@pytest.mark.parametrize(
    "error",
    [
        UpstreamUnavailable("HTTP 500"),
        UpstreamRateLimited("HTTP 429"),
        UpstreamAuthFailed("HTTP 401"),
    ],
)
async def test_a_failing_provider_hands_over_to_the_next(error: UpstreamError) -> None:
    first, second = ScriptedProvider("first", error=error), ScriptedProvider("second")
    completion = await router(first, second).complete(REQUEST)
    assert (completion.provider, first.calls, second.calls) == ("second", 1, 1)


async def test_a_provider_over_its_timeout_hands_over_to_the_next() -> None:
    slow, fast = ScriptedProvider("slow", hang=True), ScriptedProvider("fast")
    completion = await router(slow, fast, timeout_s=0.05).complete(REQUEST)
    assert completion.provider == "fast"


async def test_a_failed_provider_is_skipped_during_its_cooldown_and_tried_after() -> None:
    timer = FakeTimer()
    flaky, backup = (
        ScriptedProvider("flaky", error=UpstreamUnavailable("down")),
        ScriptedProvider("backup"),
    )
    routed = router(flaky, backup, timer=timer)
    await routed.complete(REQUEST)
    timer.now += 299
    assert (await routed.complete(REQUEST)).provider == "backup"
    assert flaky.calls == 1  # skipped while cooling down
    flaky.error = None
    timer.now += 2
    assert (await routed.complete(REQUEST)).provider == "flaky"
    assert flaky.calls == 2


async def test_a_request_the_provider_rejects_does_not_fail_over() -> None:
    picky, backup = (
        ScriptedProvider("picky", error=UpstreamRejected("400")),
        ScriptedProvider("backup"),
    )
    with pytest.raises(UpstreamRejected):
        await router(picky, backup).complete(REQUEST)
    assert backup.calls == 0


async def test_when_every_provider_fails_the_router_says_which_and_why() -> None:
    providers = [ScriptedProvider(n, error=UpstreamUnavailable(f"{n} is down")) for n in "ab"]
    with pytest.raises(UpstreamUnavailable, match=r"a is down.*b is down"):
        await router(*providers).complete(REQUEST)


async def test_a_stream_fails_over_before_its_first_token() -> None:
    broken = ScriptedProvider("broken", error=UpstreamUnavailable("down"))
    slow = ScriptedProvider("slow", hang=True)
    working = ScriptedProvider("working", pieces=("hel", "lo"))
    events = await streamed(router(broken, slow, working, timeout_s=0.05).stream(REQUEST))
    assert events[:2] == [Delta("hel"), Delta("lo")]
    assert isinstance(events[-1], Completion)
    assert events[-1].provider == "working"
    assert slow.closed  # its upstream request was dropped


async def test_a_stream_that_fails_after_its_first_token_ends_with_the_error() -> None:
    midway = ScriptedProvider("midway", pieces=("one", "two"), fail_after=1)
    backup = ScriptedProvider("backup")
    events = router(midway, backup).stream(REQUEST)
    assert await anext(events) == Delta("one")
    with pytest.raises(UpstreamUnavailable):
        await anext(events)
    assert backup.calls == 0


async def test_a_stream_silent_longer_than_the_timeout_after_its_first_token_ends() -> None:
    class Stalling(ScriptedProvider):
        async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
            yield Delta("first")
            await asyncio.sleep(3600)
            yield Delta("never")

    with pytest.raises(UpstreamError):
        await streamed(router(Stalling("stalling"), timeout_s=0.05).stream(REQUEST))


async def test_closing_a_stream_closes_the_providers_stream() -> None:
    provider = ScriptedProvider("p", pieces=("a", "b", "c"))
    events = router(provider).stream(REQUEST)
    assert await anext(events) == Delta("a")
    await events.aclose()  # the client went away
    assert provider.closed


async def test_a_named_model_goes_only_to_the_providers_offering_it() -> None:
    general = ScriptedProvider("general", models=("small",))
    special = ScriptedProvider("special", models=("large", "small"))
    routed = router(general, special)
    request = ChatRequest(question="q", passages=(), model="large")
    assert (await routed.complete(request)).provider == "special"
    assert general.calls == 0
    assert routed.models == ("small", "large")
    with pytest.raises(InvalidInput):
        await routed.complete(ChatRequest(question="q", passages=(), model="unknown"))


async def test_each_provider_may_have_a_timeout_of_its_own() -> None:
    patient = ScriptedProvider("patient", pieces=("late",))
    original = patient.complete

    async def slow_complete(request: ChatRequest) -> Completion:
        await asyncio.sleep(0.1)
        return await original(request)

    patient.complete = slow_complete  # type: ignore[method-assign]
    backup = ScriptedProvider("backup")
    health = InMemoryProviderHealth(timer=FakeTimer())
    routed = ProviderRouter(
        (patient, backup),
        health,
        NoopMetrics(),
        timeout_s=0.02,
        cooldown_s=LlmSettings().cooldown_s,
        timeouts={"patient": 1.0},
        tracer=NoopTracer(),
    )
    assert (await routed.complete(REQUEST)).provider == "patient"
    hasty = ProviderRouter(
        (patient, backup),
        health,
        NoopMetrics(),
        timeout_s=0.02,
        cooldown_s=LlmSettings().cooldown_s,
        tracer=NoopTracer(),
    )
    assert (await hasty.complete(REQUEST)).provider == "backup"


async def test_a_failure_is_counted_per_provider_and_kind_and_logged_with_its_reason(
    caplog: pytest.LogCaptureFixture,
) -> None:
    flaky = ScriptedProvider("flaky", error=UpstreamRateLimited("HTTP 429"))
    metrics = PrometheusMetrics()
    health = InMemoryProviderHealth(timer=FakeTimer())
    routed = ProviderRouter((flaky, ScriptedProvider("backup")), health, metrics, timeout_s=5.0,
                            cooldown_s=300.0, tracer=NoopTracer())  # fmt: skip

    await routed.complete(REQUEST)

    failures = metrics.registry.get_sample_value(
        "askdocs_llm_provider_failures_total",
        {"provider": "flaky", "error": "UpstreamRateLimited"},
    )
    assert failures == 1
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["LLM provider failed, cooling down: flaky (HTTP 429)"]


async def test_a_stream_that_never_begins_is_reported_as_a_timeout_of_its_provider() -> None:
    with pytest.raises(UpstreamUnavailable) as failed:
        await streamed(router(ScriptedProvider("slow", hang=True), timeout_s=0.05).stream(REQUEST))

    assert failed.value.detail == "no provider answered: slow: no answer within the timeout"


class PlainStream:
    """An async iterator that is no generator: it has no aclose to call."""

    def __init__(self) -> None:
        self.events: list[StreamEvent] = [Delta("plain"), Completion("plain", (), "m", "plain")]

    def __aiter__(self) -> PlainStream:
        return self

    async def __anext__(self) -> StreamEvent:
        if not self.events:
            raise StopAsyncIteration
        return self.events.pop(0)


class PlainProvider(ScriptedProvider):
    def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        return PlainStream()


async def test_a_provider_stream_without_aclose_streams_to_its_end() -> None:
    events = await streamed(router(PlainProvider("plain")).stream(REQUEST))

    assert events == [Delta("plain"), Completion("plain", (), "m", "plain")]
