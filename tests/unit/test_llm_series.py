"""The LLM series the router records: requests and durations by outcome, failovers, the time
to the first token of a stream and the tokens the provider reported."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from askdocs.adapters.metrics.prometheus import PrometheusMetrics
from askdocs.adapters.providers.memory import InMemoryProviderHealth
from askdocs.adapters.tracing.noop import NoopTracer
from askdocs.application.errors import UpstreamRateLimited, UpstreamRejected, UpstreamUnavailable
from askdocs.application.ports import ChatRequest, Delta, StreamEvent
from askdocs.application.provider_router import ProviderRouter
from askdocs.domain.answers import Completion
from tests.contract.test_metrics import PrometheusReadings
from tests.support.timers import FakeTimer

REQUEST = ChatRequest(question="q", passages=())


class Provider:
    """Fails with `error`, or answers in two pieces reporting 120 prompt and 7 answer tokens."""

    def __init__(self, name: str, *models: str, error: Exception | None = None) -> None:
        self.name, self.models, self.takes_sampling = name, models, True
        self.error = error

    async def complete(self, request: ChatRequest) -> Completion:
        if self.error is not None:
            raise self.error
        return self._whole()

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        if self.error is not None:
            raise self.error
        yield Delta("")  # a role-only chunk carries no text: not the first token
        yield Delta("an")
        yield Delta("swer")
        yield self._whole()

    def _whole(self) -> Completion:
        return Completion("answer", (), "served-" + self.models[0], self.name, 120, 7)


def routed(*providers: Provider) -> tuple[ProviderRouter, PrometheusReadings]:
    metrics = PrometheusMetrics()
    health = InMemoryProviderHealth(timer=FakeTimer())
    router = ProviderRouter(
        providers, health, metrics, timeout_s=5.0, cooldown_s=300.0, tracer=NoopTracer()
    )
    return router, PrometheusReadings(metrics)


def failing_then_working() -> tuple[ProviderRouter, PrometheusReadings]:
    return routed(
        Provider("first", "fast", error=UpstreamRateLimited("HTTP 429")), Provider("second", "big")
    )


def observed(readings: PrometheusReadings, name: str, tags: dict[str, str]) -> float:
    """How many samples a histogram holds for `tags`."""
    histogram = readings.histogram(name, tags)
    return 0 if histogram is None else histogram[0]


FIRST = {"provider": "first", "model": "fast"}
SECOND = {"provider": "second", "model": "big"}


def assert_error_failover_and_success(readings: PrometheusReadings) -> None:
    assert readings.counter("llm_requests", {**FIRST, "outcome": "error"}) == 1
    assert readings.histogram("llm_request_duration_seconds", {**FIRST, "outcome": "error"})
    assert readings.counter("llm_failovers", {"provider": "first"}) == 1
    assert readings.counter("llm_requests", {**SECOND, "outcome": "ok"}) == 1
    assert readings.counter("llm_requests", {**SECOND, "outcome": "error"}) is None
    assert observed(readings, "llm_request_duration_seconds", {**SECOND, "outcome": "ok"}) == 1
    assert readings.counter("llm_tokens", {**SECOND, "kind": "prompt"}) == 120
    assert readings.counter("llm_tokens", {**SECOND, "kind": "completion"}) == 7
    assert readings.counter("llm_failovers", {"provider": "second"}) is None


async def test_a_failing_provider_then_a_working_one_is_an_error_a_failover_and_a_success() -> None:
    router, readings = failing_then_working()

    await router.complete(REQUEST)

    assert_error_failover_and_success(readings)
    assert readings.histogram("llm_time_to_first_token_seconds", SECOND) is None


async def test_a_stream_records_the_same_and_its_time_to_the_first_token_once() -> None:
    router, readings = failing_then_working()

    events = [event async for event in router.stream(REQUEST)]

    assert [e.text for e in events if isinstance(e, Delta)] == ["", "an", "swer"]
    assert_error_failover_and_success(readings)
    assert observed(readings, "llm_time_to_first_token_seconds", SECOND) == 1
    assert readings.histogram("llm_time_to_first_token_seconds", FIRST) is None


async def test_the_last_provider_failing_is_an_error_but_no_failover() -> None:
    router, readings = routed(Provider("only", "m", error=UpstreamRateLimited("HTTP 429")))

    with pytest.raises(UpstreamUnavailable):
        await router.complete(REQUEST)

    assert readings.counter("llm_requests", {"provider": "only", "model": "m", "outcome": "error"})
    assert readings.counter("llm_failovers", {"provider": "only"}) is None


async def test_a_refused_request_is_an_error_of_its_provider() -> None:
    router, readings = routed(
        Provider("strict", "m", error=UpstreamRejected("HTTP 400")), Provider("never", "m")
    )

    with pytest.raises(UpstreamRejected):
        await router.complete(REQUEST)

    tags = {"provider": "strict", "model": "m", "outcome": "error"}
    assert readings.counter("llm_requests", tags) == 1
    assert readings.counter("llm_failovers", {"provider": "strict"}) is None


async def test_the_model_label_is_the_one_asked_for() -> None:
    router, readings = routed(Provider("one", "small", "large"))

    await router.complete(ChatRequest(question="q", passages=(), model="large"))

    tags = {"provider": "one", "model": "large", "outcome": "ok"}
    assert readings.counter("llm_requests", tags) == 1
