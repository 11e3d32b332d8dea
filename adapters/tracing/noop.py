"""A Tracer that records nothing but still keeps track of which trace a request belongs to."""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
from collections.abc import Iterator, Sequence

from askdocs.adapters.tracing.trace_context import TraceContext
from askdocs.application.ports.tracing import Attributes, SpanKind

_current: contextvars.ContextVar[TraceContext | None] = contextvars.ContextVar(
    "askdocs_untraced_context", default=None
)


@dataclasses.dataclass(frozen=True, slots=True)
class UnrecordedSpan:
    """A span of which only its trace is known; everything else is dropped."""

    context: TraceContext

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


class NoopTracer:
    """Records no span. A request continues its caller's trace (the incoming `traceparent`,
    passed on unchanged to the calls it makes, as a proxy that records nothing would) or
    starts a random one, so `trace_id` in responses and logs is a valid W3C trace id whether
    or not anything records spans."""

    @contextlib.contextmanager
    def span(
        self,
        name: str,
        *,
        attributes: Attributes | None = None,
        links: Sequence[str] = (),
        parent: str | None = None,
        kind: SpanKind = "internal",
    ) -> Iterator[UnrecordedSpan]:
        context = TraceContext.parse(parent) or _current.get() or TraceContext.fresh()
        token = _current.set(context)
        try:
            yield UnrecordedSpan(context)
        finally:
            # A generator closed from another task holds a token of another context.
            with contextlib.suppress(ValueError):
                _current.reset(token)

    def trace_id(self) -> str | None:
        context = _current.get()
        return context.trace_id if context else None

    def traceparent(self) -> str | None:
        context = _current.get()
        return context.traceparent if context else None
