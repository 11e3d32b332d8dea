"""Contract: Metrics on the OpenTelemetry SDK, read back from an in-memory reader; and a
collector that is down or slow, which must cost the request path nothing."""

from __future__ import annotations

import dataclasses
import http.server
import logging
import socket
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.sdk.metrics import Histogram as SdkHistogram
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    InMemoryMetricReader,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.resources import SERVICE_NAME

from askdocs.adapters.export_failures import OncePerInterval
from askdocs.adapters.metrics.export_logs import OTEL_METRIC_EXPORT_LOGGERS
from askdocs.adapters.metrics.opentelemetry import (
    SECONDS_BUCKETS,
    OpenTelemetryMetrics,
    service_resource,
)
from askdocs.application.ports.observability import Metrics
from tests.contract.test_metrics import Readings, RecordingMetricsContract

WAIT_S = 30.0
A_LONG_TIME_MS = 3_600_000


@dataclasses.dataclass(frozen=True)
class InMemoryReadings:
    reader: InMemoryMetricReader

    def point(self, name: str, tags: Mapping[str, str] | None) -> Any:
        data = self.reader.get_metrics_data()
        for resource in data.resource_metrics if data else ():
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    if metric.name != f"askdocs.{name}":
                        continue
                    for point in metric.data.data_points:
                        if dict(point.attributes or {}) == dict(tags or {}):
                            return point
        return None

    def counter(self, name: str, tags: Mapping[str, str] | None = None) -> float | None:
        point = self.point(name, tags)
        return None if point is None or not hasattr(point, "value") else point.value

    def histogram(
        self, name: str, tags: Mapping[str, str] | None = None
    ) -> tuple[float, float] | None:
        point = self.point(name, tags)
        return None if point is None else (point.count, point.sum)

    def gauge(self, name: str, tags: Mapping[str, str] | None = None) -> float | None:
        return self.counter(name, tags)


class TestOpenTelemetryMetrics(RecordingMetricsContract):
    @pytest.fixture
    def reader(self) -> InMemoryMetricReader:
        return InMemoryMetricReader()

    @pytest.fixture
    def metrics(self, reader: InMemoryMetricReader) -> Metrics:
        return OpenTelemetryMetrics(reader)

    @pytest.fixture
    def readings(self, metrics: Metrics, reader: InMemoryMetricReader) -> Readings:
        return InMemoryReadings(reader)

    def test_series_are_named_under_askdocs_and_seconds_have_second_buckets(
        self, metrics: Metrics, reader: InMemoryMetricReader
    ) -> None:
        metrics.increment("vector_search_requests_total", tags={"status": "ok"})
        metrics.observe("ask_seconds", 0.3)
        readings = InMemoryReadings(reader)
        assert readings.counter("vector_search_requests", {"status": "ok"}) == 1
        bounds = readings.point("ask_seconds", None).explicit_bounds
        assert 0.25 in bounds
        assert 10 in bounds


def test_the_service_is_askdocs_unless_the_environment_names_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    monkeypatch.delenv("OTEL_RESOURCE_ATTRIBUTES", raising=False)
    assert service_resource().attributes[SERVICE_NAME] == "askdocs"
    monkeypatch.setenv("OTEL_SERVICE_NAME", "docs-eu")
    assert service_resource().attributes[SERVICE_NAME] == "docs-eu"


@pytest.fixture
def fresh_export_logs() -> Iterator[None]:
    """The export loggers without the filter an earlier test installed (it is per process)."""

    def strip() -> None:
        for name in OTEL_METRIC_EXPORT_LOGGERS:
            logger = logging.getLogger(name)
            for existing in [f for f in logger.filters if isinstance(f, OncePerInterval)]:
                logger.removeFilter(existing)

    strip()
    yield
    strip()


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/v1/metrics"


@pytest.mark.usefixtures("fresh_export_logs")
async def test_a_collector_that_is_down_is_logged_once_per_interval(
    caplog: pytest.LogCaptureFixture,
) -> None:
    exporter = OTLPMetricExporter(endpoint=closed_port_url(), timeout=1)
    reader = PeriodicExportingMetricReader(exporter, export_interval_millis=A_LONG_TIME_MS)
    metrics = OpenTelemetryMetrics(reader, log_failures_every_s=3600)
    with caplog.at_level(logging.WARNING, logger="opentelemetry"):
        for _ in range(3):
            metrics.increment("requests", tags={"route": "chat"})
            reader.force_flush()
        await metrics.close()
    failures = [r for r in caplog.records if r.name in OTEL_METRIC_EXPORT_LOGGERS]
    assert len(failures) == 1, [r.getMessage() for r in caplog.records]


class HeldCollector(http.server.ThreadingHTTPServer):
    """An OTLP endpoint that holds every export until released."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _HoldingHandler)
        self.export_arrived = threading.Event()
        self.release = threading.Event()
        self.daemon_threads = True


class _HoldingHandler(http.server.BaseHTTPRequestHandler):
    server: HeldCollector

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.export_arrived.set()
        self.server.release.wait(WAIT_S)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture
def held_collector() -> Iterator[HeldCollector]:
    collector = HeldCollector()
    thread = threading.Thread(target=collector.serve_forever, daemon=True)
    thread.start()
    yield collector
    collector.release.set()
    collector.shutdown()
    collector.server_close()


async def test_samples_are_recorded_while_the_collector_holds_an_export(
    held_collector: HeldCollector,
) -> None:
    url = f"http://127.0.0.1:{held_collector.server_address[1]}/v1/metrics"
    reader = PeriodicExportingMetricReader(
        OTLPMetricExporter(endpoint=url, timeout=WAIT_S), export_interval_millis=A_LONG_TIME_MS
    )
    metrics = OpenTelemetryMetrics(reader)
    metrics.increment("requests", tags={"route": "chat"})
    exporting = threading.Thread(target=reader.force_flush)
    exporting.start()
    assert held_collector.export_arrived.wait(WAIT_S), "no export reached the collector"

    for _ in range(1000):  # each returns although the export in flight is held
        metrics.increment("requests", tags={"route": "chat"})
        metrics.observe("ask_seconds", 0.2, tags={"outcome": "answered"})
        metrics.gauge("queue_depth", 3)

    assert exporting.is_alive(), "the export should still be held"
    held_collector.release.set()
    exporting.join(WAIT_S)
    await metrics.close()


def test_histograms_hold_what_the_sdk_histogram_would_hold() -> None:
    values = [0.0, 0.005, 0.0051, 0.01, 0.3, 2.5, 61.0, -1.0, float("nan"), float("inf")]
    sdk_reader, reader = InMemoryMetricReader(), InMemoryMetricReader()
    sdk = MeterProvider(metric_readers=[sdk_reader]).get_meter("askdocs")
    histogram = sdk.create_histogram(
        "askdocs.ask_seconds", unit="s", explicit_bucket_boundaries_advisory=SECONDS_BUCKETS
    )
    metrics = OpenTelemetryMetrics(reader)
    for value in values:
        histogram.record(value, {"outcome": "answered"})
        metrics.observe("ask_seconds", value, tags={"outcome": "answered"})

    def fields(point: Any) -> tuple[Any, ...]:
        return (
            point.count,
            point.sum,
            tuple(point.bucket_counts),
            tuple(point.explicit_bounds),
            point.min,
            point.max,
            dict(point.attributes),
        )

    expected = InMemoryReadings(sdk_reader).point("ask_seconds", {"outcome": "answered"})
    got = InMemoryReadings(reader).point("ask_seconds", {"outcome": "answered"})
    assert fields(got) == fields(expected)


def test_a_reader_that_prefers_delta_gets_each_interval_s_histogram_points() -> None:
    reader = InMemoryMetricReader(
        preferred_temporality={SdkHistogram: AggregationTemporality.DELTA}
    )
    metrics = OpenTelemetryMetrics(reader)
    readings = InMemoryReadings(reader)
    metrics.observe("ask_seconds", 0.5)
    metrics.observe("ask_seconds", 1.5)
    assert readings.histogram("ask_seconds") == (2, 2.0)
    metrics.observe("ask_seconds", 0.25)
    assert readings.histogram("ask_seconds") == (1, 0.25)
    assert readings.histogram("ask_seconds") is None


class _KeepingHandler(http.server.BaseHTTPRequestHandler):
    bodies: list[bytes] = []

    def do_POST(self) -> None:
        self.bodies.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return None


async def test_an_otlp_export_carries_the_histograms_beside_the_counters() -> None:
    from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
        ExportMetricsServiceRequest,
    )

    handler = type("Keeping", (_KeepingHandler,), {"bodies": []})
    collector = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=collector.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{collector.server_address[1]}/v1/metrics"
    reader = PeriodicExportingMetricReader(
        OTLPMetricExporter(endpoint=url, timeout=WAIT_S), export_interval_millis=A_LONG_TIME_MS
    )
    metrics = OpenTelemetryMetrics(reader)
    try:
        metrics.increment("requests", tags={"route": "chat"})
        for value in (0.2, 0.4, 3.0):
            metrics.observe("ask_seconds", value, tags={"outcome": "answered"})
        await metrics.close()  # exports what is left
    finally:
        collector.shutdown()
        collector.server_close()

    exported = {}
    for body in handler.bodies:
        request = ExportMetricsServiceRequest.FromString(body)
        for resource in request.resource_metrics:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    exported[(scope.scope.name, metric.name)] = metric
    histogram = exported[("askdocs", "askdocs.ask_seconds")].histogram.data_points[0]
    assert (histogram.count, round(histogram.sum, 6), histogram.max) == (3, 3.6, 3.0)
    assert sum(histogram.bucket_counts) == 3
    assert exported[("askdocs", "askdocs.requests")].sum.data_points[0].as_int == 1
