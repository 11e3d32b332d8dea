"""A Tracer that records nothing but still keeps track of which trace a request belongs to."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager

from askdocs.adapters.tracing.trace_context import TraceContext
from askdocs.adapters.tracing.unrecorded import UnrecordedScope, UnrecordedSpan, current_unrecorded
from askdocs.application.ports.tracing import Attributes, SpanKind


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
        current = current_unrecorded()
        if parent is None and current is not None:
            return UnrecordedScope(current, sets=False)
        context = TraceContext.parse(parent) or current or TraceContext.fresh()
        return UnrecordedScope(context, sets=context is not current)

    def trace_id(self) -> str | None:
        context = current_unrecorded()
        return context.trace_id if context else None

    def traceparent(self) -> str | None:
        context = current_unrecorded()
        return context.traceparent if context else None
