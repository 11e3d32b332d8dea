"""Metrics sent to a DogStatsD agent over UDP, through the `datadog` package."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Hashable, Mapping

from datadog.dogstatsd.base import DogStatsd

log = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^a-zA-Z0-9_.]")


class DatadogMetrics:
    """DogStatsD lines `askdocs.<name>:<value>|<type>|#key:value,...`, sent over UDP.

    Counters are `c` (by their amount), histograms `d`: distributions, which the Datadog
    backend aggregates across every host and process, so a p99 covers the whole deployment
    (a `h` histogram is summarised per agent, and per-agent percentiles cannot be combined).
    Gauges are `g`. A name given with `_total` loses it (the shared series names counters
    without it) and characters other than `[a-zA-Z0-9_.]` become `_`.

    Nothing waits on the agent: counters and gauges are summed (or kept) per series in memory,
    distributions buffered, and a background thread sends them every `flush_interval_s` over
    UDP, which never blocks on a peer; an agent that is down loses the samples and nothing
    else. The package's own telemetry is off.

    Args:
        host: the agent's host; empty lets the package read `DD_AGENT_HOST` or
            `DD_DOGSTATSD_URL`, else localhost.
        port: the agent's UDP port; 0 lets the package read `DD_DOGSTATSD_PORT`, else 8125.
        namespace: prefix of every name.
        flush_interval_s: how often the buffer is sent.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        namespace: str = "askdocs",
        flush_interval_s: float = 0.3,
    ) -> None:
        self.statsd = DogStatsd(
            host=host or None,
            port=port or None,
            namespace=namespace,
            disable_telemetry=True,
            disable_buffering=False,
            # Counters and gauges are summed (kept) here between flushes: one line per series
            # and flush instead of one per sample. Distributions are sent whole (no sampling).
            disable_aggregation=False,
            max_metric_samples_per_context=0,
            flush_interval=flush_interval_s,
        )
        self._series: dict[Hashable, tuple[str, list[str]]] = {}

    def increment(
        self, name: str, *, amount: float = 1, tags: Mapping[str, str] | None = None
    ) -> None:
        self._send(self.statsd.increment, name.removesuffix("_total"), amount, tags)

    def observe(self, name: str, value: float, *, tags: Mapping[str, str] | None = None) -> None:
        self._send(self.statsd.distribution, name, value, tags)

    def gauge(self, name: str, value: float, *, tags: Mapping[str, str] | None = None) -> None:
        self._send(self.statsd.gauge, name, value, tags)

    def flush(self) -> None:
        """Send what is summed and buffered now."""
        self.statsd.flush_aggregated_metrics()
        self.statsd.flush()

    async def close(self) -> None:
        """Send what is buffered, stop the sending thread and close the socket."""
        try:
            self.statsd.stop()
            self.statsd.close_socket()
        except Exception:  # an agent gone at shutdown loses the last samples
            log.debug("dogstatsd close failed", exc_info=True)

    def _send(
        self,
        send: Callable[..., None],
        name: str,
        value: float,
        tags: Mapping[str, str] | None,
    ) -> None:
        try:
            metric, tag_list = self._name_and_tags(name, tags)
            send(metric, value, tags=tag_list)
        except Exception:  # recording a sample never fails a request
            log.debug("dogstatsd sample dropped", exc_info=True)

    def _name_and_tags(self, name: str, tags: Mapping[str, str] | None) -> tuple[str, list[str]]:
        """The metric name and tag list of a series, formatted once per series."""
        key = (name, tuple(tags.items()) if tags else ())
        series = self._series.get(key)
        if series is None:
            tag_list = [f"{key}:{value}" for key, value in sorted((tags or {}).items())]
            series = self._series[key] = (_UNSAFE.sub("_", name), tag_list)
        return series
