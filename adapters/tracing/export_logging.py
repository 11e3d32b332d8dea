"""Export failures logged once per interval: a collector that is down must not flood the log.

The OTLP exporter logs every failed batch and every retry; with a collector down that is a
line every few seconds per process, forever. The filter lets the first through and then one
per interval, saying how many it held back.
"""

from __future__ import annotations

import logging
import threading
import time

EXPORT_LOGGERS = (
    "opentelemetry.exporter.otlp.proto.http.trace_exporter",
    "opentelemetry.sdk.trace.export",
    "opentelemetry.sdk._shared_internal",
)
"""Where the exporter and the batch processor report failed exports."""


class OncePerInterval(logging.Filter):
    """Passes one record per `interval_s` seconds; the next one passed tells how many were
    held back meanwhile."""

    def __init__(self, interval_s: float) -> None:
        super().__init__()
        self._interval_s = interval_s
        self._next_at = 0.0
        self._held_back = 0
        self._lock = threading.Lock()  # the batch processor logs from its own thread

    @property
    def held_back(self) -> int:
        """Records dropped since the last one passed."""
        return self._held_back

    def filter(self, record: logging.LogRecord) -> bool:
        with self._lock:
            now = time.monotonic()
            if now < self._next_at:
                self._held_back += 1
                return False
            self._next_at = now + self._interval_s
            held_back, self._held_back = self._held_back, 0
        if held_back:
            record.msg = f"{record.msg} ({held_back} similar messages held back)"
        return True


def log_export_failures_once_per(interval_s: float) -> None:
    """Install the filter on the exporter's loggers (once: a second call replaces it)."""
    for name in EXPORT_LOGGERS:
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters if isinstance(f, OncePerInterval)]:
            logger.removeFilter(old)
        logger.addFilter(OncePerInterval(interval_s))
