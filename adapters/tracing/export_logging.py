"""Export failures logged once per interval: a collector that is down must not flood the log.

The OTLP exporter logs every failed batch and every retry; with a collector down that is a
line every few seconds per process, forever. The filter lets the first through and then one
per interval, saying how many it held back.
"""

from __future__ import annotations

import logging

from askdocs.adapters.export_failures import OncePerInterval

EXPORT_LOGGERS = (
    "opentelemetry.exporter.otlp.proto.http.trace_exporter",
    "opentelemetry.sdk.trace.export",
    "opentelemetry.sdk._shared_internal",
)
"""Where the exporter and the batch processor report failed exports."""


def log_export_failures_once_per(interval_s: float) -> None:
    """Install the filter on the exporter's loggers (once: a second call replaces it)."""
    for name in EXPORT_LOGGERS:
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters if isinstance(f, OncePerInterval)]:
            logger.removeFilter(old)
        logger.addFilter(OncePerInterval(interval_s))
