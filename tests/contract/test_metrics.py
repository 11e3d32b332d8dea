"""Contract: Metrics. Subclass MetricsContract once per adapter."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from askdocs.adapters.metrics.noop import NoopMetrics
from askdocs.adapters.metrics.prometheus import PrometheusMetrics
from askdocs.application.ports.observability import Metrics


class MetricsContract:
    """Behaviour every Metrics must have: recording never raises, whatever it is given."""

    @pytest.fixture
    def metrics(self) -> Metrics:
        raise NotImplementedError

    def test_counters_and_histograms_accept_samples(self, metrics: Metrics) -> None:
        metrics.increment("requests", tags={"route": "chat"})
        metrics.increment("requests", tags={"route": "chat"})
        metrics.observe("latency_seconds", 0.25, tags={"route": "chat"})
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


class TestNoopMetrics(MetricsContract):
    @pytest.fixture
    def metrics(self) -> Metrics:
        return NoopMetrics()


def sample(metrics: PrometheusMetrics, name: str, **labels: str) -> float | None:
    """The value of one sample in the exposition, or None when it is absent."""
    body, _ = metrics.exposition()
    for family in text_string_to_metric_families(body.decode()):
        for s in family.samples:
            if s.name == name and s.labels == labels:
                return s.value
    return None


class TestPrometheusMetrics(MetricsContract):
    @pytest.fixture
    def metrics(self) -> Metrics:
        return PrometheusMetrics()

    def test_the_exposition_shows_counter_values(self) -> None:
        metrics = PrometheusMetrics()
        for route in ("chat", "chat", "docs"):
            metrics.increment("http.requests", tags={"route": route, "method": "POST"})
        body, content_type = metrics.exposition()
        assert content_type.startswith("text/plain")
        assert b'askdocs_http_requests_total{method="POST",route="chat"} 2.0' in body
        assert sample(metrics, "askdocs_http_requests_total", method="POST", route="docs") == 1.0

    def test_a_gauge_shows_its_latest_value(self) -> None:
        metrics = PrometheusMetrics()
        metrics.gauge("vector_search_recall", 0.9)
        metrics.gauge("vector_search_recall", 0.97)
        assert sample(metrics, "askdocs_vector_search_recall") == pytest.approx(0.97)

    def test_observe_creates_a_histogram(self) -> None:
        metrics = PrometheusMetrics(namespace="app")
        metrics.observe("chat_seconds", 0.3)
        metrics.observe("chat_seconds", 0.7)
        assert sample(metrics, "app_chat_seconds_count") == 2.0
        assert sample(metrics, "app_chat_seconds_sum") == pytest.approx(1.0)
        assert sample(metrics, "app_chat_seconds_bucket", le="0.5") == 1.0

    def test_a_sample_with_other_labels_is_dropped_and_the_first_family_kept(self) -> None:
        metrics = PrometheusMetrics()
        metrics.increment("jobs", tags={"kind": "ingest"})
        metrics.increment("jobs", tags={"queue": "default"})
        metrics.increment("jobs")
        metrics.increment("jobs", tags={"kind": "ingest"})
        assert sample(metrics, "askdocs_jobs_total", kind="ingest") == 2.0
        assert sample(metrics, "askdocs_jobs_total", queue="default") is None
        assert sample(metrics, "askdocs_jobs_total") is None

    def test_each_instance_has_its_own_registry(self) -> None:
        first, second = PrometheusMetrics(), PrometheusMetrics()
        first.increment("requests")
        second.increment("requests")
        assert sample(first, "askdocs_requests_total") == 1.0
        assert first.registry is not second.registry
