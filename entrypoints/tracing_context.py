"""What the process needs to know of the current span, whichever tracer records it.

The use cases get a ContextTracer around the configured tracer. It keeps the current span's
trace id where the log processor finds it (`add_trace_id`: every log line carries the trace
id), and adds each phase span's duration (cache, retrieval, the model) to the current
request's timings, for its `Server-Timing` header. Both work whether or not anything records
the spans.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Iterator, MutableMapping, Sequence
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any

from askdocs.application.ports.tracing import Attributes, Span, SpanKind, Tracer

PHASES = {
    "rate_limit": "ratelimit",
    "answer_cache.lookup": "cache",
    "answer_cache.store": "cache",
    "retrieval": "retrieval",
}
"""Span name -> the Server-Timing metric its duration adds to; `chat <model>` spans (each
provider attempt) add to `llm`."""

_current: contextvars.ContextVar[PhaseTimings | None] = contextvars.ContextVar(
    "askdocs_phase_timings", default=None
)
_trace_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "askdocs_trace_id", default=None
)


def add_trace_id(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: the current trace id on every line written inside a span."""
    if "trace_id" not in event and (trace_id := _trace_id.get()) is not None:
        event["trace_id"] = trace_id
    return event


class PhaseTimings:
    """Milliseconds per phase of one request, in the order the phases first ended."""

    def __init__(self) -> None:
        self._began = time.perf_counter()
        self._seconds: dict[str, float] = {}

    def add(self, phase: str, seconds: float) -> None:
        self._seconds[phase] = self._seconds.get(phase, 0.0) + seconds

    def header(self) -> str:
        """The `Server-Timing` value so far, `total` being the time since the request came."""
        total = time.perf_counter() - self._began
        phases = [*self._seconds.items(), ("total", total)]
        return ", ".join(f"{name};dur={seconds * 1000:.1f}" for name, seconds in phases)


@contextlib.contextmanager
def timing_phases() -> Iterator[PhaseTimings]:
    """Collect the phases of everything run inside the block (tasks it starts included)."""
    timings = PhaseTimings()
    token = _current.set(timings)
    try:
        yield timings
    finally:
        with contextlib.suppress(ValueError):
            _current.reset(token)


def _phase(name: str) -> str | None:
    return "llm" if name.startswith("chat ") else PHASES.get(name)


class _ContextSpan:
    """The configured tracer's span, with the current trace id published and, for a phase
    span, its duration added to the request's timings."""

    __slots__ = ("_began", "_opened", "_phase", "_timings", "_token")

    def __init__(self, opened: AbstractContextManager[Span], phase: str | None) -> None:
        self._opened = opened
        self._phase = phase
        self._timings = _current.get() if phase is not None else None
        self._began = 0.0
        self._token: contextvars.Token[str | None] | None = None

    def __enter__(self) -> Span:
        span = self._opened.__enter__()
        if _trace_id.get() != span.trace_id:  # a trace's first span; its children share it
            self._token = _trace_id.set(span.trace_id)
        if self._timings is not None:
            self._began = time.perf_counter()
        return span

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool | None:
        if self._timings is not None and self._phase is not None:
            self._timings.add(self._phase, time.perf_counter() - self._began)
        if self._token is not None:
            with contextlib.suppress(ValueError):  # closed from another task
                _trace_id.reset(self._token)
        return self._opened.__exit__(kind, error, traceback)


class ContextTracer:
    """A Tracer that passes every span on to `traced`, publishes the current trace id for
    log lines and times the phase spans."""

    def __init__(self, traced: Tracer) -> None:
        self.traced = traced

    def span(
        self,
        name: str,
        *,
        attributes: Attributes | None = None,
        links: Sequence[str] = (),
        parent: str | None = None,
        kind: SpanKind = "internal",
    ) -> AbstractContextManager[Span]:
        opened = self.traced.span(
            name, attributes=attributes, links=links, parent=parent, kind=kind
        )
        return _ContextSpan(opened, _phase(name))

    def trace_id(self) -> str | None:
        return self.traced.trace_id()

    def traceparent(self) -> str | None:
        return self.traced.traceparent()

    def shutdown(self) -> None:
        """Flush and stop the configured tracer, when it has anything to flush."""
        shutdown = getattr(self.traced, "shutdown", None)
        if shutdown is not None:
            shutdown()
