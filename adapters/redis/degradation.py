"""Outage logging for adapters that degrade instead of failing when Redis is unreachable."""

from __future__ import annotations

from typing import Any

from askdocs.application.errors import UpstreamError


class OutageLog:
    """Logs an outage once, not once per request: a warning at its first failure, then one
    line when Redis answers again with how many operations degraded meanwhile.

    Args:
        logger: a structlog logger.
        component: what degrades, as the log lines name it ("answer cache").
    """

    def __init__(self, logger: Any, component: str) -> None:
        self._log = logger
        self._component = component
        self._failures = 0

    def failed(self, operation: str, exc: UpstreamError) -> None:
        """Record one degraded operation; only the first of an outage is logged."""
        self._failures += 1
        if self._failures == 1:
            self._log.warning(
                f"{self._component} unavailable, degrading until Redis answers again",
                operation=operation,
                error=exc.detail or type(exc).__name__,
            )

    def succeeded(self) -> None:
        """Record an operation that reached Redis; ends the outage if there was one."""
        if self._failures:
            self._log.info(f"{self._component} available again", degraded_operations=self._failures)
            self._failures = 0
