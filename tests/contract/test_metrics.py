"""Contract: Metrics. Subclass MetricsContract once per adapter, RecordingMetricsContract once
per adapter that keeps what it is given (every backend but the no-op one)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Protocol

import pytest

from askdocs.adapters.metrics.noop import NoopMetrics
from askdocs.adapters.metrics.prometheus import PrometheusMetrics
from askdocs.application.ports.observability import Metrics

CHAT = {"route": "chat"}
DOCS = {"route": "docs"}


class MetricsContract:
    """Behaviour every Metrics must have: recording never raises, whatever it is given."""

    @pytest.fixture
    def metrics(self) -> Metrics:
        raise NotImplementedError

    def test_counters_and_histograms_accept_samples(self, metrics: Metrics) -> None:
        metrics.increment("requests", tags=CHAT)
        metrics.increment("requests", tags=CHAT)
        metrics.observe("latency_seconds", 0.25, tags=CHAT)
        metrics.observe("latency_seconds", 1.5)  # a different label set: dropped, not raised

    def test_odd_names_and_mismatched_labels_do_not_raise(self, metrics: Metrics) -> None:
        metrics.increment("cache.hits-ratio", tags={"a-b": "1"})
        metrics.increment("cache.hits-ratio", tags={"other": "2"})
        metrics.increment("cache.hits-ratio")
        metrics.observe("cache.hits-ratio", 3.0)  # the name of a counter
        metrics.observe("1st", 1.0, tags={"le": "x", "__reserved": "y"})
        metrics.increment("", tags={"": "empty"})
        metrics.gauge("cache.hits-ratio", 0.5)  # the name of a counter

    def test_gauges_accept_samples(self, metrics: Metrics) -> None:
        metrics.gauge("recall", 0.9, tags={"index": "hnsw"})
        metrics.gauge("recall", 0.95, tags={"index": "hnsw"})


class Readings(Protocol):
    """What a backend holds, read back the backend's own way, by the names given to Metrics."""

    def counter(self, name: str, tags: Mapping[str, str] | None = None) -> float | None: ...

    def histogram(
        self, name: str, tags: Mapping[str, str] | None = None
    ) -> tuple[float, float] | None:
        """(how many samples, their sum), or None when nothing was observed."""
        ...

    def gauge(self, name: str, tags: Mapping[str, str] | None = None) -> float | None: ...


class RecordingMetricsContract(MetricsContract):
    """Behaviour of a Metrics that keeps samples: what was recorded reads back, per tag set.

    `readings` reads the same backend as `metrics`.
    """

    @pytest.fixture
    def readings(self, metrics: Metrics) -> Readings:
        raise NotImplementedError

    def test_increments_add_up_per_tag_set(self, metrics: Metrics, readings: Readings) -> None:
        for tags in (CHAT, DOCS, CHAT):
            metrics.increment("requests", tags=tags)
        metrics.increment("restarts")
        assert readings.counter("requests", CHAT) == 2
        assert readings.counter("requests", DOCS) == 1
        assert readings.counter("restarts") == 1
        assert readings.counter("never_incremented") is None

    def test_an_increment_adds_its_amount(self, metrics: Metrics, readings: Readings) -> None:
        metrics.increment("tokens", amount=120, tags=CHAT)
        metrics.increment("tokens", amount=7, tags=CHAT)
        metrics.increment("tokens", tags=CHAT)
        assert readings.counter("tokens", CHAT) == 128

    def test_the_order_of_tags_makes_no_other_series(
        self, metrics: Metrics, readings: Readings
    ) -> None:
        metrics.increment("jobs", tags={"kind": "ingest", "queue": "default"})
        metrics.increment("jobs", tags={"queue": "default", "kind": "ingest"})
        assert readings.counter("jobs", {"kind": "ingest", "queue": "default"}) == 2

    def test_observations_are_counted_and_summed(
        self, metrics: Metrics, readings: Readings
    ) -> None:
        metrics.observe("chat_seconds", 0.25, tags=CHAT)
        metrics.observe("chat_seconds", 0.5, tags=CHAT)
        metrics.observe("chat_seconds", 4.0, tags=DOCS)
        assert readings.histogram("chat_seconds", CHAT) == pytest.approx((2, 0.75))
        assert readings.histogram("chat_seconds", DOCS) == pytest.approx((1, 4.0))

    def test_a_gauge_reads_its_latest_value(self, metrics: Metrics, readings: Readings) -> None:
        metrics.gauge("recall", 0.9, tags={"index": "hnsw"})
        metrics.gauge("recall", 0.97, tags={"index": "hnsw"})
        metrics.gauge("queue_depth", 3)
        assert readings.gauge("recall", {"index": "hnsw"}) == pytest.approx(0.97)
        assert readings.gauge("queue_depth") == 3

    def test_a_sample_the_backend_refuses_leaves_the_others_intact(
        self, metrics: Metrics, readings: Readings
    ) -> None:
        metrics.increment("jobs", tags={"kind": "ingest"})
        metrics.increment("jobs", tags={"queue": "default"})  # other tag keys: may be refused
        metrics.observe("jobs", 1.0)  # a counter's name: may be refused
        metrics.increment("jobs", tags={"kind": "ingest"})
        assert readings.counter("jobs", {"kind": "ingest"}) == 2


class TestNoopMetrics(MetricsContract):
    """Keeps nothing by design: accepting every call is all there is to check."""

    @pytest.fixture
    def metrics(self) -> Metrics:
        return NoopMetrics()


@dataclasses.dataclass(frozen=True)
class PrometheusReadings:
    """Samples read from the instance's registry, as a scrape would name them."""

    metrics: PrometheusMetrics
    namespace: str = "askdocs"

    def sample(self, name: str, tags: Mapping[str, str] | None = None) -> float | None:
        labels = dict(tags or {})
        return self.metrics.registry.get_sample_value(f"{self.namespace}_{name}", labels)

    def counter(self, name: str, tags: Mapping[str, str] | None = None) -> float | None:
        return self.sample(f"{name}_total", tags)

    def histogram(
        self, name: str, tags: Mapping[str, str] | None = None
    ) -> tuple[float, float] | None:
        count, total = self.sample(f"{name}_count", tags), self.sample(f"{name}_sum", tags)
        return None if count is None or total is None else (count, total)

    def gauge(self, name: str, tags: Mapping[str, str] | None = None) -> float | None:
        return self.sample(name, tags)


class TestPrometheusMetrics(RecordingMetricsContract):
    @pytest.fixture
    def metrics(self) -> Metrics:
        return PrometheusMetrics()

    @pytest.fixture
    def readings(self, metrics: Metrics) -> Readings:
        assert isinstance(metrics, PrometheusMetrics)
        return PrometheusReadings(metrics)

    def test_the_exposition_shows_counter_values(self) -> None:
        metrics = PrometheusMetrics()
        for route in ("chat", "chat", "docs"):
            metrics.increment("http.requests", tags={"route": route, "method": "POST"})
        body, content_type = metrics.exposition()
        assert content_type.startswith("text/plain")
        assert b'askdocs_http_requests_total{method="POST",route="chat"} 2.0' in body
        assert b'askdocs_http_requests_total{method="POST",route="docs"} 1.0' in body

    def test_observations_fall_into_buckets_under_the_namespace(self) -> None:
        metrics = PrometheusMetrics(namespace="app")
        metrics.observe("chat_seconds", 0.3)
        metrics.observe("chat_seconds", 0.7)
        readings = PrometheusReadings(metrics, namespace="app")
        assert readings.sample("chat_seconds_bucket", {"le": "0.5"}) == 1.0
        assert readings.histogram("chat_seconds") == pytest.approx((2, 1.0))

    def test_a_sample_with_other_labels_is_dropped_and_the_first_family_kept(self) -> None:
        metrics = PrometheusMetrics()
        metrics.increment("jobs", tags={"kind": "ingest"})
        metrics.increment("jobs", tags={"queue": "default"})
        metrics.increment("jobs")
        readings = PrometheusReadings(metrics)
        assert readings.counter("jobs", {"kind": "ingest"}) == 1.0
        assert readings.counter("jobs", {"queue": "default"}) is None
        assert readings.counter("jobs") is None

    def test_each_instance_has_its_own_registry(self) -> None:
        first, second = PrometheusMetrics(), PrometheusMetrics()
        first.increment("requests")
        second.increment("requests")
        assert PrometheusReadings(first).counter("requests") == 1.0
        assert first.registry is not second.registry
