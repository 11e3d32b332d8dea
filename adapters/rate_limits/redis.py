"""RateLimiter in Redis: fixed-window counters shared by every worker, counted atomically.

A counter is the key `<prefix>:rl:<key>:<window_s>:<window_start>`: two policies with different
windows on the same key never share one. A hit is one round trip, however many counters it
touches: a Lua script increments each counter and, on its first increment, gives it a life of
`window_s + 1` seconds, so ended windows clean themselves up and no counter is ever left
without an expiry.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from askdocs.adapters.redis.client import RedisClient
from askdocs.domain.rate_limits import RateLimitDecision, RateLimitPolicy

_HIT = """
local counts = {}
for i, key in ipairs(KEYS) do
    local count = redis.call('INCR', key)
    if count == 1 then
        redis.call('EXPIRE', key, ARGV[i])
    end
    counts[i] = count
end
return counts
"""


class RedisRateLimiter:
    """Counts requests per key and window in Redis, exactly across workers and processes.

    `peek` reads the counter without incrementing it and reports the window as the last
    `hit` left it, like InMemoryRateLimiter: `remaining` equals what that hit reported, and
    `allowed` says whether the next request would still be admitted.

    Raises:
        UpstreamUnavailable, UpstreamTimeout: Redis cannot be reached; whether to admit the
            request then is the application's decision.
    """

    def __init__(self, client: RedisClient) -> None:
        self._client = client
        self._script = client.script(_HIT)

    async def hit(self, key: str, policy: RateLimitPolicy, now: float) -> RateLimitDecision:
        [decision] = await self.hit_many([(key, policy)], now)
        return decision

    async def hit_many(
        self, requests: Sequence[tuple[str, RateLimitPolicy]], now: float
    ) -> list[RateLimitDecision]:
        """Every counter in one script call: one round trip for the per-IP and per-principal
        limits of a request."""
        keys = [self._counter(key, policy, now) for key, policy in requests]
        ttls = [policy.window_s + 1 for _, policy in requests]
        async with self._client.translate_errors():
            counts = await self._script(keys, ttls)
        return [
            policy.decide(int(count), now)
            for (_, policy), count in zip(requests, counts, strict=True)
        ]

    async def peek(self, key: str, policy: RateLimitPolicy, now: float) -> RateLimitDecision:
        async with self._client.translate_errors():
            raw = await self._client.execute("GET", self._counter(key, policy, now))
        count = int(raw or 0)
        return dataclasses.replace(policy.decide(count, now), allowed=count < policy.limit)

    def _counter(self, key: str, policy: RateLimitPolicy, now: float) -> str:
        return self._client.key("rl", key, str(policy.window_s), str(policy.window_start(now)))
