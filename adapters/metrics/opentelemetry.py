"""Metrics exported over OTLP through the OpenTelemetry SDK."""

from __future__ import annotations

import logging
import threading
from collections.abc import Hashable, Iterable, Mapping
from typing import Any

from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import SERVICE_NAME, Resource

from askdocs.adapters.metrics.export_logs import OTEL_METRIC_EXPORT_LOGGERS, log_once_per_interval
from askdocs.adapters.metrics.otel_histograms import (
    DEFAULT_BUCKETS,
    ExplicitHistogram,
    HistogramsInCollections,
)

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

    Counters and gauges are summed (or kept, for gauges) here, per series, and reported by
    observable instruments when the reader collects: an `ObservableCounter` of each counter's
    running total and an `ObservableGauge` of each gauge's latest value. The SDK's own
    synchronous path costs some 10 µs a sample (it cleans and hashes the attributes every
    time); this one is a dictionary update. Histograms, for want of an observable one, are
    explicit-bucket histograms kept here (`ExplicitHistogram`: seconds-sized buckets for
    `_seconds` names, the SDK's default ones otherwise) and added to each collection of the
    reader (`HistogramsInCollections`). Tags are attributes; a name given with `_total` loses
    it. The provider is not made the global one, so several instances (one per test) stay
    apart.

    Nothing on the request path waits on the collector: the periodic reader's thread collects
    and exports. A failing export is logged at most once per `log_failures_every_s`
    (`OncePerInterval`); `close` exports what is left.

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
        reader = reader or otlp_reader()
        resource = resource or service_resource()
        self.provider = MeterProvider(metric_readers=[reader], resource=resource)
        self._meter = self.provider.get_meter("askdocs")
        self._collections = HistogramsInCollections(reader, resource, "askdocs")
        self._lock = threading.Lock()
        # name -> series (tags as given) -> [attributes, running total or latest value]
        self._counters: dict[str, dict[Hashable, list[Any]]] = {}
        self._gauges: dict[str, dict[Hashable, list[Any]]] = {}
        self._histograms = self._collections.histograms
        self._attributes: dict[Hashable, dict[str, str]] = {}

    def increment(
        self, name: str, *, amount: float = 1, tags: Mapping[str, str] | None = None
    ) -> None:
        try:
            key = tuple(tags.items()) if tags else ()
            series = self._counters.get(name)
            if series is None:
                series = self._observed(self._counters, name.removesuffix("_total"), "counter")
                self._counters[name] = series
            with self._lock:
                if key in series:
                    series[key][1] += amount
                else:
                    series[key] = [self._attributes_of(key, tags), amount]
        except Exception:  # recording a sample never fails a request
            log.debug("opentelemetry sample dropped", exc_info=True)

    def observe(self, name: str, value: float, *, tags: Mapping[str, str] | None = None) -> None:
        try:
            histogram = self._histograms.get(name)
            if histogram is None:
                histogram = self._histograms[name] = self._histogram(name)
            key = tuple(tags.items()) if tags else ()
            histogram.record(key, self._attributes_of(key, tags), value)
        except Exception:  # recording a sample never fails a request
            log.debug("opentelemetry sample dropped", exc_info=True)

    def gauge(self, name: str, value: float, *, tags: Mapping[str, str] | None = None) -> None:
        try:
            key = tuple(tags.items()) if tags else ()
            series = self._gauges.get(name)
            if series is None:
                series = self._gauges[name] = self._observed(self._gauges, name, "gauge")
            with self._lock:
                series[key] = [self._attributes_of(key, tags), value]
        except Exception:  # recording a sample never fails a request
            log.debug("opentelemetry sample dropped", exc_info=True)

    async def close(self) -> None:
        """Export what has not been exported, then stop the reader."""
        try:
            self.provider.shutdown()
        except Exception:  # a collector gone at shutdown loses the last samples
            log.debug("opentelemetry metrics shutdown failed", exc_info=True)

    def _attributes_of(self, key: Hashable, tags: Mapping[str, str] | None) -> dict[str, str]:
        attributes = self._attributes.get(key)
        if attributes is None:
            attributes = self._attributes[key] = {k: str(v) for k, v in (tags or {}).items()}
        return attributes

    def _observed(
        self, kind: dict[str, dict[Hashable, list[Any]]], name: str, instrument: str
    ) -> dict[Hashable, list[Any]]:
        """The series of `name` (shared by the names that differ only by `_total`), with the
        observable instrument that reports them created on first use."""
        if name in kind:
            return kind[name]
        series: dict[Hashable, list[Any]] = {}
        kind[name] = series

        def report(options: CallbackOptions) -> Iterable[Observation]:
            with self._lock:
                readings = [(attributes, value) for attributes, value in series.values()]
            return [Observation(value, attributes) for attributes, value in readings]

        create = (
            self._meter.create_observable_counter
            if instrument == "counter"
            else self._meter.create_observable_gauge
        )
        create(f"askdocs.{name}", callbacks=[report])
        return series

    def _histogram(self, name: str) -> ExplicitHistogram:
        full = f"askdocs.{name}"
        if name.endswith("_seconds"):
            return ExplicitHistogram(full, "s", SECONDS_BUCKETS)
        return ExplicitHistogram(full, "", DEFAULT_BUCKETS)
