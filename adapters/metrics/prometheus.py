"""Metrics exposed in the Prometheus text format, from a registry of their own."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TypeVar

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

_UNSAFE = re.compile(r"[^a-zA-Z0-9_]")

_Metric = TypeVar("_Metric", Counter, Histogram, Gauge)

# A family is one metric name with one set of label names.
_Family = tuple[str, tuple[str, ...]]


def _safe(name: str) -> str:
    return _UNSAFE.sub("_", name)


class PrometheusMetrics:
    """Counters and histograms created on first use, in a registry owned by this instance.

    The registry is private (not prometheus_client's global one) so several instances, for
    example one per test, never collide, and `/metrics` shows exactly what askdocs recorded.
    Names and tag keys are reduced to `[a-zA-Z0-9_]`; counters are exposed as `<name>_total`.

    A sample that Prometheus cannot accept is dropped silently, by design: the port promises
    that recording a metric never fails a request. The usual cause is one name used with two
    different sets of tag keys, which Prometheus forbids within a registry; logging it on every
    request would flood the log with the same line, so the first family created for a name wins.

    Args:
        namespace: prefix of every metric name, as in `askdocs_requests_total`.

    Attributes:
        registry: the CollectorRegistry holding every metric this instance created.
    """

    def __init__(self, namespace: str = "askdocs") -> None:
        self.registry = CollectorRegistry()
        self._namespace = _safe(namespace)
        self._counters: dict[_Family, Counter | None] = {}
        self._histograms: dict[_Family, Histogram | None] = {}
        self._gauges: dict[_Family, Gauge | None] = {}

    def increment(
        self, name: str, *, amount: float = 1, tags: Mapping[str, str] | None = None
    ) -> None:
        labels = _labels(tags)
        family = (_safe(name), tuple(labels))
        if family not in self._counters:
            self._counters[family] = self._create(Counter, family)
        counter = self._counters[family]
        if counter is not None:
            (counter.labels(**labels) if labels else counter).inc(amount)

    def observe(self, name: str, value: float, *, tags: Mapping[str, str] | None = None) -> None:
        labels = _labels(tags)
        family = (_safe(name), tuple(labels))
        if family not in self._histograms:
            self._histograms[family] = self._create(Histogram, family)
        histogram = self._histograms[family]
        if histogram is not None:
            (histogram.labels(**labels) if labels else histogram).observe(value)

    def gauge(self, name: str, value: float, *, tags: Mapping[str, str] | None = None) -> None:
        labels = _labels(tags)
        family = (_safe(name), tuple(labels))
        if family not in self._gauges:
            self._gauges[family] = self._create(Gauge, family)
        gauge = self._gauges[family]
        if gauge is not None:
            (gauge.labels(**labels) if labels else gauge).set(value)

    def exposition(self) -> tuple[bytes, str]:
        """The registry in the Prometheus text format, and the content type to serve it with."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    def _create(self, kind: type[_Metric], family: _Family) -> _Metric | None:
        name, label_names = family
        try:
            return kind(
                name,
                f"askdocs metric {name}",
                labelnames=label_names,
                namespace=self._namespace,
                registry=self.registry,
            )
        except ValueError:  # name or labels clash with a metric already registered
            return None


def _labels(tags: Mapping[str, str] | None) -> dict[str, str]:
    """Tags with safe keys, sorted so the label order never depends on the caller's order."""
    return {_safe(key): str(value) for key, value in sorted((tags or {}).items())}
