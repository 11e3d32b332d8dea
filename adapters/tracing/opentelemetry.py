"""Tracer on the OpenTelemetry SDK: spans batched in the background to an OTLP/HTTP collector.

The exporter reads the standard variables (`OTEL_EXPORTER_OTLP_ENDPOINT` or
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_EXPORTER_OTLP_TIMEOUT`),
the resource `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES`, the sampler `OTEL_TRACES_SAMPLER`.
Spans are handed to a BatchSpanProcessor, whose thread exports them: a request only appends
to its queue, so a collector that is slow or down costs requests nothing, and spans beyond
the queue's room are dropped.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager
from types import TracebackType

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.sdk.trace.sampling import Sampler
from opentelemetry.trace import Link, SpanContext, Status, StatusCode, TraceFlags
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

import askdocs
from askdocs.adapters.tracing.export_logging import log_export_failures_once_per
from askdocs.adapters.tracing.sampling import AskedOnce, is_sampled
from askdocs.adapters.tracing.trace_context import TraceContext, new_span_id, new_trace_id
from askdocs.adapters.tracing.unrecorded import (
    UnrecordedScope,
    UnrecordedSpan,
    current_unrecorded,
    leave_unrecorded,
    restore_unrecorded,
)
from askdocs.application.ports.tracing import Attributes, SpanKind

_KINDS = {
    "internal": trace.SpanKind.INTERNAL,
    "server": trace.SpanKind.SERVER,
    "client": trace.SpanKind.CLIENT,
    "consumer": trace.SpanKind.CONSUMER,
    "producer": trace.SpanKind.PRODUCER,
}
_propagator = TraceContextTextMapPropagator()


class OpenTelemetrySpan:
    """A Span over an SDK span (a non-recording one when the trace is not sampled)."""

    __slots__ = ("_span",)

    def __init__(self, span: trace.Span) -> None:
        self._span = span

    @property
    def trace_id(self) -> str:
        return trace.format_trace_id(self._span.get_span_context().trace_id)

    def set_attributes(self, attributes: Attributes) -> None:
        self._span.set_attributes(attributes)

    def add_event(self, name: str, attributes: Attributes | None = None) -> None:
        self._span.add_event(name, attributes)

    def record_error(self, error: BaseException) -> None:
        self._span.record_exception(error)
        self.fail(type(error).__name__)

    def fail(self, description: str) -> None:
        self._span.set_status(Status(StatusCode.ERROR, description))


class _Current:
    """Makes a started span current for a block and ends it after; an exception leaving the
    block is recorded on it."""

    __slots__ = ("_left", "_span", "_token")

    def __init__(self, span: trace.Span) -> None:
        self._span = span
        self._token: object = None
        self._left: contextvars.Token[TraceContext | None] | None = None

    def __enter__(self) -> OpenTelemetrySpan:
        self._left = leave_unrecorded()  # a recorded request inside one that is not
        self._token = otel_context.attach(trace.set_span_in_context(self._span))
        return OpenTelemetrySpan(self._span)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if isinstance(error, Exception):  # not a cancellation or a generator being closed
            OpenTelemetrySpan(self._span).record_error(error)
        self._span.end()
        _detach(self._token)
        restore_unrecorded(self._left)


class OpenTelemetryTracer:
    """A Tracer whose spans go to `processor` (by default a BatchSpanProcessor over the OTLP
    HTTP exporter). Its provider is its own, not the global one, so several can live in one
    process (tests).

    Args:
        processor: where ended spans go; tests pass a SimpleSpanProcessor over an
            InMemorySpanExporter.
        export_log_interval_s: failed exports are logged at most once per this many seconds.
        sampler: which traces are recorded (the container's: `traces_sampler`). It is asked
            once per trace, at the trace's first span in this process: the steps of a trace
            it leaves out start no SDK span at all.
    """

    def __init__(
        self,
        *,
        export_log_interval_s: float,
        sampler: Sampler,
        processor: SpanProcessor | None = None,
    ) -> None:
        if processor is None:
            log_export_failures_once_per(export_log_interval_s)
            processor = BatchSpanProcessor(_otlp_exporter())
        self._ids = _ChosenTraceIds()
        self._sampler = AskedOnce(sampler)
        self._provider = TracerProvider(
            resource=_resource(), sampler=self._sampler, id_generator=self._ids
        )
        self._provider.add_span_processor(processor)
        self._tracer = self._provider.get_tracer("askdocs", askdocs.__version__)
        self._shut_down = False

    def span(
        self,
        name: str,
        *,
        attributes: Attributes | None = None,
        links: Sequence[str] = (),
        parent: str | None = None,
        kind: SpanKind = "internal",
    ) -> AbstractContextManager[OpenTelemetrySpan | UnrecordedSpan]:
        if parent is None:
            unrecorded = current_unrecorded()
            if unrecorded is not None:  # a step of a trace the sampler left out
                return UnrecordedScope(unrecorded, sets=False)
            if trace.get_current_span().is_recording():  # a step of a recorded trace
                return _Current(self._start(name, None, kind, attributes, links))
        return self._first_span(name, parent, kind, attributes, links)

    def _first_span(
        self,
        name: str,
        parent: str | None,
        kind: SpanKind,
        attributes: Attributes | None,
        links: Sequence[str],
    ) -> AbstractContextManager[OpenTelemetrySpan | UnrecordedSpan]:
        """A trace's first span in this process: the sampler is asked here, once; a trace it
        leaves out is kept as an unrecorded one, and its steps start no SDK span at all (an
        SDK span costs tens of microseconds even unrecorded)."""
        context = _parent_context(parent)
        continued = trace.get_current_span(context).get_span_context()
        trace_id = continued.trace_id if continued.is_valid else int(new_trace_id(), 16)
        decision = self._sampler.ask(
            context, trace_id, name, _KINDS[kind], attributes, _links(links)
        )
        if not is_sampled(decision):
            unrecorded = TraceContext(trace.format_trace_id(trace_id), new_span_id(), False)
            return UnrecordedScope(unrecorded, sets=True)
        if not continued.is_valid:  # the SDK draws the trace id: the one asked about
            self._ids.next_trace_id = trace_id
        return _Current(self._start(name, context, kind, attributes, links))

    def _start(
        self,
        name: str,
        context: otel_context.Context | None,
        kind: SpanKind,
        attributes: Attributes | None,
        links: Sequence[str],
    ) -> trace.Span:
        return self._tracer.start_span(
            name, context=context, kind=_KINDS[kind], attributes=attributes, links=_links(links)
        )

    def trace_id(self) -> str | None:
        if (unrecorded := current_unrecorded()) is not None:
            return unrecorded.trace_id
        span_context = trace.get_current_span().get_span_context()
        return trace.format_trace_id(span_context.trace_id) if span_context.is_valid else None

    def traceparent(self) -> str | None:
        if (unrecorded := current_unrecorded()) is not None:
            return unrecorded.traceparent
        carrier: dict[str, str] = {}
        _propagator.inject(carrier)
        return carrier.get("traceparent")

    def shutdown(self) -> None:
        """Export what is queued (within the exporter's timeout) and stop the export thread;
        once (the SDK warns on a second call)."""
        if not self._shut_down:
            self._shut_down = True
            self._provider.shutdown()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        """Export every ended span now; whether all went within the time."""
        return self._provider.force_flush(timeout_millis)


def _otlp_exporter() -> SpanExporter:
    # The exporter reads OTEL_* when it is made: when the tracer is, at the process's start.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


def _resource() -> Resource:
    """The SDK's resource (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES), named askdocs unless
    those name the service otherwise."""
    resource = Resource.create({"service.version": askdocs.__version__})
    if str(resource.attributes.get("service.name", "")).startswith("unknown_service"):
        resource = resource.merge(Resource({"service.name": "askdocs"}))
    return resource


def _parent_context(parent: str | None) -> otel_context.Context | None:
    """The context a caller's `traceparent` names; None (the current one) without a valid one."""
    if parent is None or TraceContext.parse(parent) is None:
        return None
    return _propagator.extract({"traceparent": parent})


class _ChosenTraceIds(RandomIdGenerator):
    """The SDK's random ids, except a trace id chosen before the span that takes it starts
    (the one the sampler was asked about)."""

    def __init__(self) -> None:
        self._chosen = threading.local()

    @property
    def next_trace_id(self) -> int | None:
        return getattr(self._chosen, "trace_id", None)

    @next_trace_id.setter
    def next_trace_id(self, trace_id: int | None) -> None:
        self._chosen.trace_id = trace_id

    def generate_trace_id(self) -> int:
        chosen, self.next_trace_id = self.next_trace_id, None
        return chosen if chosen is not None else super().generate_trace_id()


def _links(traceparents: Sequence[str]) -> list[Link] | None:
    return [link for link in map(_link, traceparents) if link is not None] if traceparents else None


def _link(traceparent: str) -> Link | None:
    parsed = TraceContext.parse(traceparent)
    if parsed is None:
        return None
    flags = TraceFlags(TraceFlags.SAMPLED if parsed.sampled else TraceFlags.DEFAULT)
    span_context = SpanContext(
        int(parsed.trace_id, 16), int(parsed.span_id, 16), is_remote=True, trace_flags=flags
    )
    return Link(span_context)


def _detach(token: object) -> None:
    """Undo `attach`; a generator closed from another task holds another context's token,
    which is no fault worth a log line."""
    with contextlib.suppress(Exception):
        otel_context._RUNTIME_CONTEXT.detach(token)  # type: ignore[arg-type]
