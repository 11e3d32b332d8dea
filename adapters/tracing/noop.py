"""A Tracer that records nothing but still keeps track of which trace a request belongs to."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Sequence
from contextlib import AbstractContextManager

from askdocs.adapters.tracing.trace_context import TraceContext
from askdocs.application.ports.tracing import Attributes, SpanKind

_current: contextvars.ContextVar[TraceContext | None] = contextvars.ContextVar(
    "askdocs_untraced_context", default=None
)


class UnrecordedSpan:
    """A span of which only its trace is known; everything else is dropped."""

    __slots__ = ("context",)

    def __init__(self, context: TraceContext) -> None:
        self.context = context

    @property
    def trace_id(self) -> str:
        return self.context.trace_id

    def set_attributes(self, attributes: Attributes) -> None:
        return None

    def add_event(self, name: str, attributes: Attributes | None = None) -> None:
        return None

    def record_error(self, error: BaseException) -> None:
        return None

    def fail(self, description: str) -> None:
        return None


class _Scope:
    """Makes a span's context current for a block; a span inside a trace changes nothing
    (it has no span id of its own to hand on), so only a trace's first span sets the variable."""

    __slots__ = ("_sets", "_span", "_token")

    def __init__(self, context: TraceContext, *, sets: bool) -> None:
        self._span = UnrecordedSpan(context)
        self._sets = sets
        self._token: contextvars.Token[TraceContext | None] | None = None

    def __enter__(self) -> UnrecordedSpan:
        if self._sets:
            self._token = _current.set(self._span.context)
        return self._span

    def __exit__(self, *exc_info: object) -> None:
        if self._token is not None:
            # A generator closed from another task holds a token of another context.
            with contextlib.suppress(ValueError):
                _current.reset(self._token)


class NoopTracer:
    """Records no span. A request continues its caller's trace (the incoming `traceparent`,
    passed on unchanged to the calls it makes, as a proxy that records nothing would) or
    starts a random one, so `trace_id` in responses and logs is a valid W3C trace id whether
    or not anything records spans."""

    def span(
        self,
        name: str,
        *,
        attributes: Attributes | None = None,
        links: Sequence[str] = (),
        parent: str | None = None,
        kind: SpanKind = "internal",
    ) -> AbstractContextManager[UnrecordedSpan]:
        current = _current.get()
        if parent is None and current is not None:
            return _Scope(current, sets=False)
        context = TraceContext.parse(parent) or current or TraceContext.fresh()
        return _Scope(context, sets=context is not current)

    def trace_id(self) -> str | None:
        context = _current.get()
        return context.trace_id if context else None

    def traceparent(self) -> str | None:
        context = _current.get()
        return context.traceparent if context else None
