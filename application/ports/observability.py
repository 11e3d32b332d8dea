"""Protocols: Metrics, Clock and IdGenerator."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol


class Metrics(Protocol):
    """Protocol: counters and timings. Never raises: a failing backend drops the sample."""

    def increment(
        self, name: str, *, amount: float = 1, tags: Mapping[str, str] | None = None
    ) -> None:
        """Add `amount` (one unless said, never negative) to a counter."""
        ...

    def observe(self, name: str, value: float, *, tags: Mapping[str, str] | None = None) -> None:
        """Record a duration in seconds (or another measured value) in a histogram."""
        ...

    def gauge(self, name: str, value: float, *, tags: Mapping[str, str] | None = None) -> None:
        """Set a value that goes up and down (the latest sample wins)."""
        ...


class Clock(Protocol):
    """Protocol: the current time; the domain never reads a clock itself."""

    def now(self) -> datetime:
        """Timezone-aware current time."""
        ...

    def timestamp(self) -> float:
        """Seconds since the epoch."""
        ...


class IdGenerator(Protocol):
    """Protocol: new unique identifiers."""

    def new_id(self) -> str:
        """A new random id, URL-safe."""
        ...
