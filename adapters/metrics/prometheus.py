"""Metrics exposed in the Prometheus text format, from one process or from every process."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Hashable, Mapping
from typing import Any, Literal

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

_UNSAFE = re.compile(r"[^a-zA-Z0-9_]")

GaugeMode = Literal["livemostrecent", "livemax", "livesum", "liveall"]

GAUGE_MODES: dict[str, GaugeMode] = {
    # Each process has a breaker of its own: the series is 1 while any live one is open.
    "redis_breaker_open": "livemax",
}
"""How a gauge reads across processes in multiprocess mode, by name; every other gauge is
`livemostrecent`. The others measure something every process shares (the queue, the index's
recall), so the freshest reading of any live process is the truest one: the port's "the latest
sample wins" across processes."""

# The labelled child to record into, or None for a sample the registry refused.
_Child = Any


def _safe(name: str) -> str:
    return _UNSAFE.sub("_", name)


class PrometheusMetrics:
    """Counters, histograms and gauges created on first use, in a registry of this instance.

    The registry is private (not prometheus_client's global one) so several instances, for
    example one per test, never collide, and `/metrics` shows exactly what askdocs recorded.
    Names and tag keys are reduced to `[a-zA-Z0-9_]`; counters are exposed as `<name>_total`
    (a name given with `_total` loses it first).

    With `multiprocess_dir` (the `PROMETHEUS_MULTIPROC_DIR` prometheus_client read when it was
    first imported) every process writes its samples to files there, and `exposition` sums
    every process's files: any server process answers a scrape for all of them. `close`
    removes this process's live gauges from that sum.

    A sample that Prometheus cannot accept is dropped silently, by design: the port promises
    that recording a metric never fails a request. The usual cause is one name used with two
    different sets of tag keys, which Prometheus forbids within a registry; logging it on every
    request would flood the log with the same line, so the first family created for a name wins.

    Each (name, tags) pair seen is kept with its labelled child, so a repeated sample costs a
    dictionary look-up rather than `labels()` (5 % of a cached chat request's CPU otherwise).

    Args:
        namespace: prefix of every metric name, as in `askdocs_requests_total`.
        multiprocess_dir: the directory shared by every process, or None for this one alone.

    Attributes:
        registry: the CollectorRegistry holding every metric this instance created.
    """

    def __init__(self, namespace: str = "askdocs", multiprocess_dir: str | None = None) -> None:
        self.registry = CollectorRegistry()
        self._namespace = _safe(namespace)
        self._multiprocess_dir = multiprocess_dir or None
        self._families: dict[tuple[type, str, tuple[str, ...]], Any] = {}
        self._children: dict[Hashable, _Child] = {}

    def increment(
        self, name: str, *, amount: float = 1, tags: Mapping[str, str] | None = None
    ) -> None:
        child = self._child(Counter, name, tags)
        if child is not None:
            child.inc(amount)

    def observe(self, name: str, value: float, *, tags: Mapping[str, str] | None = None) -> None:
        child = self._child(Histogram, name, tags)
        if child is not None:
            child.observe(value)

    def gauge(self, name: str, value: float, *, tags: Mapping[str, str] | None = None) -> None:
        child = self._child(Gauge, name, tags)
        if child is not None:
            child.set(value)

    def exposition(self) -> tuple[bytes, str]:
        """The samples in the Prometheus text format, and the content type to serve them with:
        every process's, summed, in multiprocess mode."""
        if self._multiprocess_dir is None:
            return generate_latest(self.registry), CONTENT_TYPE_LATEST
        every_process = CollectorRegistry()
        MultiProcessCollector(every_process, path=self._multiprocess_dir)  # type: ignore[no-untyped-call]
        return generate_latest(every_process), CONTENT_TYPE_LATEST

    async def close(self) -> None:
        """In multiprocess mode, take this process's live gauges out of the sum."""
        if self._multiprocess_dir is not None:
            mark_process_dead(os.getpid(), self._multiprocess_dir)  # type: ignore[no-untyped-call]

    def _child(self, kind: type, name: str, tags: Mapping[str, str] | None) -> _Child:
        key = (kind, name, tuple(tags.items()) if tags else ())
        try:
            return self._children[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable tag value: not worth keeping
            return None
        child = self._labelled(kind, name, tags)
        self._children[key] = child
        return child

    def _labelled(self, kind: type, name: str, tags: Mapping[str, str] | None) -> _Child:
        labels = {_safe(key): str(value) for key, value in sorted((tags or {}).items())}
        safe_name = _safe(name.removesuffix("_total") if kind is Counter else name)
        family = (kind, safe_name, tuple(labels))
        if family not in self._families:
            self._families[family] = self._create(kind, safe_name, tuple(labels))
        metric = self._families[family]
        if metric is None or not labels:
            return metric
        try:
            return metric.labels(**labels)
        except ValueError:
            return None

    def _create(self, kind: type, name: str, label_names: tuple[str, ...]) -> Any:
        options: dict[str, Any] = {}
        if kind is Gauge:
            options["multiprocess_mode"] = GAUGE_MODES.get(name, "livemostrecent")
        create: Callable[..., Any] = kind
        try:
            return create(
                name,
                f"askdocs metric {name}",
                labelnames=label_names,
                namespace=self._namespace,
                registry=self.registry,
                **options,
            )
        except ValueError:  # name or labels clash with a metric already registered
            return None
