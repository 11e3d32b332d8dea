"""Which traces the OpenTelemetry tracer records.

Recording a trace costs far more than serving a cached answer (ADR 46), so without
`OTEL_TRACES_SAMPLER` askdocs records traces up to a rate, not a share: a quiet server records
every request, a busy one a bounded number a second. A caller's sampling decision is followed
either way (parent-based), so a sampled `traceparent` always gets a whole trace.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence

from opentelemetry.context import Context
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import (
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
)
from opentelemetry.trace import Link, SpanKind
from opentelemetry.trace.span import TraceState
from opentelemetry.util.types import Attributes


class RateLimitedSampler(Sampler):
    """Records traces while a bucket refilled at `per_second` tokens a second holds one; it
    holds `per_second` at most (one when that is less), so a quiet spell allows that burst."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        self._per_second = per_second
        self._clock = clock
        self._room = max(1.0, per_second)
        self._tokens = self._room
        self._refilled = clock()
        self._lock = threading.Lock()

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        with self._lock:
            now = self._clock()
            self._tokens = min(self._room, self._tokens + (now - self._refilled) * self._per_second)
            self._refilled = now
            recorded = self._tokens >= 1
            if recorded:
                self._tokens -= 1
        if not recorded:
            return SamplingResult(Decision.DROP)
        return SamplingResult(Decision.RECORD_AND_SAMPLE, attributes, trace_state)

    def get_description(self) -> str:
        return f"RateLimitedSampler{{{self._per_second:g}/s}}"


def is_sampled(result: SamplingResult) -> bool:
    """Whether the trace is recorded and exported (RECORD_ONLY is not: nothing would see it)."""
    return result.decision is Decision.RECORD_AND_SAMPLE


def traces_sampler(max_traces_per_second: float) -> Sampler:
    """`OTEL_TRACES_SAMPLER`'s sampler when it is set (the SDK reads it, with its argument);
    else parent-based, recording at most `max_traces_per_second` new traces a second."""
    if os.environ.get("OTEL_TRACES_SAMPLER", "").strip():
        return TracerProvider(shutdown_on_exit=False).sampler
    return ParentBased(RateLimitedSampler(max_traces_per_second))


class AskedOnce(Sampler):
    """`sampler`, asked once about a trace's first span: `ask` is the question, and the SDK's
    own asking about the span it then starts gets the same answer, not a second draw (a
    rate-limited sampler would spend two tokens, or say no the second time)."""

    def __init__(self, sampler: Sampler) -> None:
        self.sampler = sampler
        self._answered = threading.local()

    def ask(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind,
        attributes: Attributes,
        links: Sequence[Link] | None,
    ) -> SamplingResult:
        result = self.sampler.should_sample(parent_context, trace_id, name, kind, attributes, links)
        self._answered.given = (trace_id, result) if is_sampled(result) else None
        return result

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        given: tuple[int, SamplingResult] | None = getattr(self._answered, "given", None)
        if given is not None and given[0] == trace_id:
            self._answered.given = None
            return given[1]
        return self.sampler.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return self.sampler.get_description()
