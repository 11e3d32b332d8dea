"""The OpenTelemetry metrics exporter's failures, logged at most once per interval."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from askdocs.adapters.export_failures import OncePerInterval

OTEL_METRIC_EXPORT_LOGGERS = (
    # The OTLP/HTTP exporter, and the HTTP client it lends its logger to: each retry and each
    # failed batch.
    "opentelemetry.exporter.otlp.proto.http.metric_exporter",
    # The periodic reader: an exporter that raised or timed out.
    "opentelemetry.sdk.metrics._internal.export",
)
"""Loggers that report a failing OpenTelemetry metrics export."""


def log_once_per_interval(loggers: Iterable[str], every_s: float) -> None:
    """Give each named logger a `OncePerInterval` filter, unless it has one already (several
    adapters in one process share the loggers, and one filter is enough)."""
    for name in loggers:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, OncePerInterval) for existing in logger.filters):
            logger.addFilter(OncePerInterval(every_s))
