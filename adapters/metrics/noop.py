"""Metrics that go nowhere, for when no backend is configured."""

from __future__ import annotations

from collections.abc import Mapping


class NoopMetrics:
    """Accepts every sample and drops it."""

    def increment(
        self, name: str, *, amount: float = 1, tags: Mapping[str, str] | None = None
    ) -> None:
        return None

    def observe(self, name: str, value: float, *, tags: Mapping[str, str] | None = None) -> None:
        return None

    def gauge(self, name: str, value: float, *, tags: Mapping[str, str] | None = None) -> None:
        return None
