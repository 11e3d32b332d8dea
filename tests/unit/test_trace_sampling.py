"""Which traces are recorded: a rate, not a share, unless OTEL_TRACES_SAMPLER says otherwise."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from askdocs.adapters.tracing.opentelemetry import OpenTelemetryTracer
from askdocs.adapters.tracing.sampling import RateLimitedSampler, traces_sampler
from askdocs.entrypoints.container import build_container
from askdocs.entrypoints.settings import SettingsError, load_settings

SAMPLED_CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def recorded(sampler: RateLimitedSampler, asked: int) -> int:
    return sum(sampler.should_sample(None, n + 1, "r").decision.is_sampled() for n in range(asked))


def test_a_burst_records_as_many_traces_as_a_second_allows_then_refills() -> None:
    clock = Clock()
    sampler = RateLimitedSampler(10, clock=clock)
    assert recorded(sampler, 25) == 10
    clock.now += 0.25
    assert recorded(sampler, 25) == 2
    clock.now += 60  # a quiet spell fills the bucket, no further
    assert recorded(sampler, 25) == 10


def test_less_than_one_a_second_records_one_each_time_a_token_has_grown() -> None:
    clock = Clock()
    sampler = RateLimitedSampler(0.5, clock=clock)
    assert recorded(sampler, 5) == 1
    clock.now += 1
    assert recorded(sampler, 5) == 0  # half a token
    clock.now += 1
    assert recorded(sampler, 5) == 1


def test_a_rate_that_is_not_positive_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        RateLimitedSampler(0)
    with pytest.raises(SettingsError, match="max_traces_per_second"):
        load_settings({"ASKDOCS_TRACING__MAX_TRACES_PER_SECOND": "0"})


def test_without_otel_traces_sampler_a_busy_process_records_a_bounded_number(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OTEL_TRACES_SAMPLER", raising=False)
    exporter = InMemorySpanExporter()
    tracer = OpenTelemetryTracer(
        export_log_interval_s=60,
        processor=SimpleSpanProcessor(exporter),
        sampler=traces_sampler(max_traces_per_second=3),
    )
    for _ in range(20):
        with tracer.span("request"), tracer.span("step"):
            pass
    with tracer.span("request", parent=SAMPLED_CALLER), tracer.span("step"):
        pass
    requests = [span for span in exporter.get_finished_spans() if span.name == "request"]
    # Three of the twenty (the loop takes far less than a third of a second), each whole,
    # and the sampled caller's beyond the limit.
    assert len(requests) in (4, 5)
    assert len(exporter.get_finished_spans()) == 2 * len(requests)
    assert requests[-1].parent is not None
    assert requests[-1].parent.is_remote


@pytest.mark.parametrize(
    ("variable", "argument", "description"),
    [
        ("always_off", None, "AlwaysOffSampler"),
        ("parentbased_traceidratio", "0.25", "TraceIdRatioBased{0.25}"),
    ],
)
def test_otel_traces_sampler_is_used_when_set(
    monkeypatch: pytest.MonkeyPatch, variable: str, argument: str | None, description: str
) -> None:
    monkeypatch.setenv("OTEL_TRACES_SAMPLER", variable)
    if argument is not None:
        monkeypatch.setenv("OTEL_TRACES_SAMPLER_ARG", argument)
    assert description in traces_sampler(max_traces_per_second=10).get_description()


def test_the_container_records_traces_up_to_the_configured_rate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OTEL_TRACES_SAMPLER", raising=False)
    settings = load_settings(
        {
            "ASKDOCS_TRACING__BACKEND": "opentelemetry",
            "ASKDOCS_TRACING__MAX_TRACES_PER_SECOND": "2.5",
        }
    )
    tracer = build_container(settings).tracer()
    try:
        assert "RateLimitedSampler{2.5/s}" in tracer.traced._sampler.get_description()
    finally:
        tracer.shutdown()
