"""Metrics exported over OTLP through the OpenTelemetry SDK."""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import SERVICE_NAME, Resource

from askdocs.adapters.metrics.export_logs import OTEL_METRIC_EXPORT_LOGGERS, log_once_per_interval

log = logging.getLogger(__name__)

SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
"""Histogram bounds of a `_seconds` series: the SDK's default ones are for milliseconds."""


def otlp_reader() -> MetricReader:
    """A reader that exports every `OTEL_METRIC_EXPORT_INTERVAL` ms (60 s unless set) over
    OTLP/HTTP, to where the `OTEL_EXPORTER_OTLP_*` variables say (the SDK reads them)."""
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

    return PeriodicExportingMetricReader(OTLPMetricExporter())


def service_resource() -> Resource:
    """The resource from `OTEL_RESOURCE_ATTRIBUTES` and `OTEL_SERVICE_NAME`, named `askdocs`
    when neither names the service."""
    detected = Resource.create()
    if str(detected.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        return detected.merge(Resource({SERVICE_NAME: "askdocs"}))
    return detected


class OpenTelemetryMetrics:
    """Instruments `askdocs.<name>` created on first use, on a MeterProvider of their own.

    Counters are `Counter.add(amount)`, histograms `Histogram.record` (seconds-sized buckets
    for `_seconds` names), gauges the synchronous `Gauge.set`; tags are attributes. A name
    given with `_total` loses it. The provider is not made the global one, so several
    instances (one per test) stay apart.

    Nothing on the request path waits on the collector: a sample only updates an in-memory
    aggregation, and the periodic reader's thread exports. A failing export is logged at most
    once per `log_failures_every_s` (`OncePerInterval`); `close` exports what is left.

    Args:
        reader: where samples go; by default `otlp_reader()`. Tests pass an
            InMemoryMetricReader.
        resource: the service's resource; by default `service_resource()`.
        log_failures_every_s: the least time between two logged export failures.
    """

    def __init__(
        self,
        reader: MetricReader | None = None,
        *,
        resource: Resource | None = None,
        log_failures_every_s: float = 60.0,
    ) -> None:
        log_once_per_interval(OTEL_METRIC_EXPORT_LOGGERS, log_failures_every_s)
        self.provider = MeterProvider(
            metric_readers=[reader or otlp_reader()], resource=resource or service_resource()
        )
        self._meter = self.provider.get_meter("askdocs")
        self._instruments: dict[tuple[str, str], Any] = {}
        self._attributes: dict[Hashable, dict[str, str]] = {}

    def increment(
        self, name: str, *, amount: float = 1, tags: Mapping[str, str] | None = None
    ) -> None:
        self._record("counter", name.removesuffix("_total"), amount, tags)

    def observe(self, name: str, value: float, *, tags: Mapping[str, str] | None = None) -> None:
        self._record("histogram", name, value, tags)

    def gauge(self, name: str, value: float, *, tags: Mapping[str, str] | None = None) -> None:
        self._record("gauge", name, value, tags)

    async def close(self) -> None:
        """Export what has not been exported, then stop the reader."""
        try:
            self.provider.shutdown()
        except Exception:  # a collector gone at shutdown loses the last samples
            log.debug("opentelemetry metrics shutdown failed", exc_info=True)

    def _record(self, kind: str, name: str, value: float, tags: Mapping[str, str] | None) -> None:
        try:
            instrument = self._instruments.get((kind, name))
            if instrument is None:
                instrument = self._instruments[kind, name] = self._create(kind, name)
            key = tuple(tags.items()) if tags else ()
            attributes = self._attributes.get(key)
            if attributes is None:
                attributes = self._attributes[key] = {k: str(v) for k, v in (tags or {}).items()}
            _RECORD[kind](instrument, value, attributes)
        except Exception:  # recording a sample never fails a request
            log.debug("opentelemetry sample dropped", exc_info=True)

    def _create(self, kind: str, name: str) -> Any:
        full = f"askdocs.{name}"
        if kind == "counter":
            return self._meter.create_counter(full)
        if kind == "gauge":
            return self._meter.create_gauge(full)
        if name.endswith("_seconds"):
            return self._meter.create_histogram(
                full, unit="s", explicit_bucket_boundaries_advisory=SECONDS_BUCKETS
            )
        return self._meter.create_histogram(full)


_RECORD: dict[str, Callable[[Any, float, dict[str, str]], None]] = {
    "counter": lambda instrument, value, attributes: instrument.add(value, attributes),
    "histogram": lambda instrument, value, attributes: instrument.record(value, attributes),
    "gauge": lambda instrument, value, attributes: instrument.set(value, attributes),
}
