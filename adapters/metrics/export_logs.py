"""Failures of a background exporter logged at most once per interval, not once per attempt."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable

OTEL_METRIC_EXPORT_LOGGERS = (
    # The OTLP/HTTP exporter, and the HTTP client it lends its logger to: each retry and each
    # failed batch.
    "opentelemetry.exporter.otlp.proto.http.metric_exporter",
    # The periodic reader: an exporter that raised or timed out.
    "opentelemetry.sdk.metrics._internal.export",
)
"""Loggers that report a failing OpenTelemetry metrics export."""


class OncePerInterval(logging.Filter):
    """Lets one record through per `every_s` seconds and drops the rest, counting them.

    An exporter retries with backoff and logs each attempt; with the collector down that is
    several lines every export interval, per process, for as long as it is down. One line per
    interval says the same, and the count of dropped records rides on the next line through.
    """

    def __init__(self, every_s: float) -> None:
        super().__init__()
        self.every_s = every_s
        self._next_at = 0.0
        self._dropped = 0
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        with self._lock:
            if now < self._next_at:
                self._dropped += 1
                return False
            self._next_at = now + self.every_s
            dropped, self._dropped = self._dropped, 0
        if dropped:
            record.msg = f"{record.msg} ({dropped} similar records dropped since the last)"
        return True


def log_once_per_interval(loggers: Iterable[str], every_s: float) -> None:
    """Give each named logger a `OncePerInterval` filter, unless it has one already (several
    adapters in one process share the loggers, and one filter is enough)."""
    for name in loggers:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, OncePerInterval) for existing in logger.filters):
            logger.addFilter(OncePerInterval(every_s))
