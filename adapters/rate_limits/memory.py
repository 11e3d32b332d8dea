"""RateLimiter in process memory: fixed-window counters that forget ended windows."""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Sequence

from askdocs.domain.rate_limits import RateLimitDecision, RateLimitPolicy

# A counter belongs to a key, a window length and a window start: two policies with different
# windows on the same key (a minute and a day) never share a counter, even where they align.
_CounterKey = tuple[str, int, int]


class InMemoryRateLimiter:
    """Counts requests per key and window in one process; every worker counts on its own.

    `peek` reports the window as the last `hit` left it: `remaining` equals what that hit
    reported, and `allowed` says whether the next request would still be admitted. Ended
    windows are dropped as time passes, so memory holds only the windows in progress.
    """

    def __init__(self) -> None:
        self._counts: dict[_CounterKey, int] = {}
        self._expiries: list[tuple[int, _CounterKey]] = []

    async def hit(self, key: str, policy: RateLimitPolicy, now: float) -> RateLimitDecision:
        self._prune(now)
        counter = _counter_key(key, policy, now)
        count = self._counts.get(counter, 0) + 1
        if count == 1:
            heapq.heappush(self._expiries, (counter[2] + policy.window_s, counter))
        self._counts[counter] = count
        return policy.decide(count, now)

    async def hit_many(
        self, requests: Sequence[tuple[str, RateLimitPolicy]], now: float
    ) -> list[RateLimitDecision]:
        return [await self.hit(key, policy, now) for key, policy in requests]

    async def peek(self, key: str, policy: RateLimitPolicy, now: float) -> RateLimitDecision:
        self._prune(now)
        count = self._counts.get(_counter_key(key, policy, now), 0)
        return dataclasses.replace(policy.decide(count, now), allowed=count < policy.limit)

    def _prune(self, now: float) -> None:
        while self._expiries and self._expiries[0][0] <= now:
            _, counter = heapq.heappop(self._expiries)
            self._counts.pop(counter, None)


def _counter_key(key: str, policy: RateLimitPolicy, now: float) -> _CounterKey:
    return (key, policy.window_s, policy.window_start(now))
