"""Protocol: RateLimiter, the counters behind the domain's fixed-window policy."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from askdocs.domain.rate_limits import RateLimitDecision, RateLimitPolicy


class RateLimiter(Protocol):
    """Protocol: counts requests per key and window, atomically.

    Raises:
        UpstreamUnavailable, UpstreamTimeout: the counter store cannot be reached in time.
    """

    async def hit(self, key: str, policy: RateLimitPolicy, now: float) -> RateLimitDecision:
        """Count one request and decide it."""
        ...

    async def hit_many(
        self, requests: Sequence[tuple[str, RateLimitPolicy]], now: float
    ) -> list[RateLimitDecision]:
        """Count one request against each (key, policy), in order, as one operation."""
        ...

    async def peek(self, key: str, policy: RateLimitPolicy, now: float) -> RateLimitDecision:
        """What the next request would be told, without counting anything."""
        ...
