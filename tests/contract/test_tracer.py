"""Contract: Tracer. Subclass TracerContract once per adapter; the OpenTelemetry one is also
checked for what it records, through an in-memory exporter."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_OFF,
    ALWAYS_ON,
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
)
from opentelemetry.trace import SpanKind, StatusCode, format_span_id, format_trace_id

from askdocs.adapters.tracing.noop import NoopTracer
from askdocs.adapters.tracing.opentelemetry import OpenTelemetryTracer
from askdocs.adapters.tracing.trace_context import TraceContext
from askdocs.application.ports.tracing import Tracer

CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
TRACE_ID = re.compile("[0-9a-f]{32}")
EVERY_TRACE = ParentBased(ALWAYS_ON)
"""The SDK's default: every trace recorded, a caller's decision followed."""


class TracerContract:
    """Behaviour every Tracer must have: real W3C ids with or without recording, never raising."""

    @pytest.fixture
    def tracer(self) -> Tracer:
        raise NotImplementedError

    def test_outside_any_span_there_is_no_current_trace(self, tracer: Tracer) -> None:
        assert tracer.trace_id() is None
        assert tracer.traceparent() is None

    def test_a_span_and_its_children_share_a_fresh_w3c_trace_id(self, tracer: Tracer) -> None:
        with tracer.span("outer") as outer, tracer.span("inner") as inner:
            assert TRACE_ID.fullmatch(outer.trace_id)
            assert inner.trace_id == outer.trace_id == tracer.trace_id()
        with tracer.span("another") as another:
            assert another.trace_id != outer.trace_id
        assert tracer.trace_id() is None

    def test_a_callers_traceparent_is_continued(self, tracer: Tracer) -> None:
        with tracer.span("request", parent=CALLER, kind="server") as span:
            sent = TraceContext.parse(tracer.traceparent())
        assert span.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
        assert sent is not None
        assert sent.trace_id == span.trace_id

    @pytest.mark.parametrize(
        "header",
        [
            "",
            "garbage",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  # all-zero trace id
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  # all-zero parent
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  # forbidden version
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        ],
    )
    def test_a_malformed_traceparent_starts_a_trace_of_its_own(
        self, tracer: Tracer, header: str
    ) -> None:
        with tracer.span("request", parent=header) as span:
            assert TRACE_ID.fullmatch(span.trace_id)
            assert span.trace_id not in header

    def test_recording_odd_data_never_raises(self, tracer: Tracer) -> None:
        with tracer.span("odd", attributes={"list": ["a", "b"], "": 1}, links=["nonsense"]) as s:
            s.set_attributes({"none-like": "", "number": 1.5, "flag": False})
            s.add_event("event", {"k": "v"})
            s.record_error(RuntimeError("recorded, not raised"))
            s.fail("failed")

    def test_an_exception_leaving_a_span_goes_on_to_the_caller(self, tracer: Tracer) -> None:
        with pytest.raises(ValueError, match="boom"), tracer.span("failing"):
            raise ValueError("boom")
        assert tracer.trace_id() is None

    async def test_a_span_in_a_generator_closed_by_another_task_does_not_raise(
        self, tracer: Tracer
    ) -> None:
        async def answer() -> AsyncIterator[str]:
            with tracer.span("stream"):
                yield "first"
                yield "second"

        stream = answer()
        assert await anext(stream) == "first"
        await asyncio.create_task(stream.aclose())  # as a server does when a client leaves


class TestNoopTracer(TracerContract):
    @pytest.fixture
    def tracer(self) -> Tracer:
        return NoopTracer()

    def test_calls_go_out_with_the_callers_traceparent_unchanged(self) -> None:
        tracer = NoopTracer()
        with tracer.span("request", parent=CALLER), tracer.span("attempt"):
            assert tracer.traceparent() == CALLER


class TestOpenTelemetryTracer(TracerContract):
    @pytest.fixture
    def exporter(self) -> InMemorySpanExporter:
        return InMemorySpanExporter()

    @pytest.fixture
    def tracer(self, exporter: InMemorySpanExporter) -> Tracer:
        return OpenTelemetryTracer(
            export_log_interval_s=60, processor=SimpleSpanProcessor(exporter), sampler=EVERY_TRACE
        )

    def test_spans_are_exported_with_parents_links_kinds_and_attributes(
        self, tracer: Tracer, exporter: InMemorySpanExporter
    ) -> None:
        upload = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        with (
            tracer.span("request", parent=CALLER, kind="server", attributes={"a": 1}),
            tracer.span("job", links=[upload], kind="consumer") as job,
        ):
            job.set_attributes({"b": "two"})
            job.add_event("first_token")
            sent = TraceContext.parse(tracer.traceparent())

        job_span, request_span = exporter.get_finished_spans()
        assert (request_span.name, request_span.kind) == ("request", SpanKind.SERVER)
        assert format_span_id(request_span.parent.span_id) == "00f067aa0ba902b7"
        assert request_span.parent.is_remote
        assert request_span.attributes["a"] == 1
        assert job_span.parent.span_id == request_span.context.span_id
        assert job_span.kind is SpanKind.CONSUMER
        assert job_span.attributes["b"] == "two"
        assert [e.name for e in job_span.events] == ["first_token"]
        (link,) = job_span.links
        assert format_trace_id(link.context.trace_id) == "0af7651916cd43dd8448eb211c80319c"
        assert format_span_id(link.context.span_id) == "b7ad6b7169203331"
        assert sent is not None
        assert sent.span_id == format_span_id(job_span.context.span_id)

    def test_a_failure_is_recorded_and_marks_the_span_failed(
        self, tracer: Tracer, exporter: InMemorySpanExporter
    ) -> None:
        with pytest.raises(KeyError), tracer.span("escaping"):
            raise KeyError("gone")
        with tracer.span("handled") as handled:
            handled.record_error(TimeoutError("late"))
        with tracer.span("answered 503") as failed:
            failed.fail("HTTP 503")
        with tracer.span("fine"):
            pass

        spans = {s.name: s for s in exporter.get_finished_spans()}
        for name in ("escaping", "handled"):
            assert spans[name].status.status_code is StatusCode.ERROR
            assert [e.name for e in spans[name].events] == ["exception"]
        assert spans["answered 503"].status.status_code is StatusCode.ERROR
        assert spans["fine"].status.status_code is StatusCode.UNSET

    def test_an_unsampled_caller_is_continued_without_recording(
        self, tracer: Tracer, exporter: InMemorySpanExporter
    ) -> None:
        unsampled = CALLER[:-2] + "00"
        with tracer.span("request", parent=unsampled) as span:
            assert span.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
        assert exporter.get_finished_spans() == ()


class TestOpenTelemetryTracerRecordingNothing(TracerContract):
    """The contract holds when the sampler leaves every trace out (kept without SDK spans)."""

    @pytest.fixture
    def tracer(self) -> Tracer:
        return OpenTelemetryTracer(
            export_log_interval_s=60,
            processor=SimpleSpanProcessor(InMemorySpanExporter()),
            sampler=ALWAYS_OFF,
        )


class _OddTraces(Sampler):
    """Records the traces whose id is odd, noting every id it is asked about."""

    def __init__(self) -> None:
        self.asked: list[int] = []

    def should_sample(self, context: object, trace_id: int, *args: object, **kw: object):  # type: ignore[no-untyped-def]
        self.asked.append(trace_id)
        return SamplingResult(Decision.RECORD_AND_SAMPLE if trace_id % 2 else Decision.DROP)

    def get_description(self) -> str:
        return "odd traces"


class _CountingSampler(Sampler):
    """Leaves every trace out, counting how often it was asked."""

    def __init__(self) -> None:
        self.asked = 0

    def should_sample(self, *args: object, **kwargs: object) -> SamplingResult:
        self.asked += 1
        return SamplingResult(Decision.DROP)

    def get_description(self) -> str:
        return "counting"


class TestOpenTelemetryTracerSampling:
    def test_a_trace_left_out_asks_the_sampler_once_and_records_no_step(self) -> None:
        exporter, sampler = InMemorySpanExporter(), _CountingSampler()
        tracer = OpenTelemetryTracer(
            export_log_interval_s=60, processor=SimpleSpanProcessor(exporter), sampler=sampler
        )
        with tracer.span("request", kind="server") as request:
            root = TraceContext.parse(tracer.traceparent())
            with tracer.span("answer") as answer, tracer.span("cache") as cache:
                cache.set_attributes({"hit": True})
                cache.record_error(RuntimeError("dropped"))
                inner = TraceContext.parse(tracer.traceparent())
        assert sampler.asked == 1
        assert exporter.get_finished_spans() == ()
        assert root is not None
        assert not root.sampled
        assert inner == root  # outgoing calls name the request's span, unsampled
        assert request.trace_id == answer.trace_id == cache.trace_id == root.trace_id
        assert tracer.trace_id() is None

    def test_the_next_trace_is_asked_again(self) -> None:
        sampler = _CountingSampler()
        tracer = OpenTelemetryTracer(
            export_log_interval_s=60,
            processor=SimpleSpanProcessor(InMemorySpanExporter()),
            sampler=sampler,
        )
        for _ in range(3):
            with tracer.span("request"), tracer.span("step"):
                pass
        assert sampler.asked == 3

    def test_the_callers_sampling_decision_holds_for_every_step(self) -> None:
        exporter = InMemorySpanExporter()
        tracer = OpenTelemetryTracer(
            export_log_interval_s=60, processor=SimpleSpanProcessor(exporter), sampler=EVERY_TRACE
        )
        unsampled_caller = CALLER[:-2] + "00"
        with tracer.span("left out", parent=unsampled_caller), tracer.span("its step"):
            pass
        with tracer.span("request", parent=CALLER), tracer.span("its step"):
            pass
        assert [span.name for span in exporter.get_finished_spans()] == ["its step", "request"]

    def test_a_recorded_trace_has_the_id_the_sampler_was_asked_about(self) -> None:
        exporter, sampler = InMemorySpanExporter(), _OddTraces()
        tracer = OpenTelemetryTracer(
            export_log_interval_s=60, processor=SimpleSpanProcessor(exporter), sampler=sampler
        )
        seen = []
        for number in range(60):
            caller = None if number % 3 else f"00-{number + 1:032x}-00f067aa0ba902b7-01"
            with tracer.span("request", parent=caller) as request, tracer.span("step"):
                seen.append(int(request.trace_id, 16))
        recorded = {span.context.trace_id for span in exporter.get_finished_spans()}
        assert recorded == {trace_id for trace_id in seen if trace_id % 2}
        assert len(set(seen)) == 60
        assert set(sampler.asked) == set(seen)
        assert len(exporter.get_finished_spans()) == 2 * len(recorded)

    def test_a_recorded_request_inside_one_left_out_is_recorded_whole(self) -> None:
        exporter = InMemorySpanExporter()
        tracer = OpenTelemetryTracer(
            export_log_interval_s=60, processor=SimpleSpanProcessor(exporter), sampler=EVERY_TRACE
        )
        unsampled_caller = CALLER[:-2] + "00"
        with tracer.span("outer", parent=unsampled_caller):
            with tracer.span("inner", parent=CALLER), tracer.span("inner step"):
                assert tracer.trace_id() == "4bf92f3577b34da6a3ce929d0e0e4736"
            with tracer.span("outer step"):
                assert tracer.traceparent() is not None
                assert tracer.traceparent().endswith("-00")  # type: ignore[union-attr]
        assert [span.name for span in exporter.get_finished_spans()] == ["inner step", "inner"]
        assert tracer.trace_id() is None
