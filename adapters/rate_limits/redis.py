"""RateLimiter in Redis: fixed-window counters shared by every worker, counted atomically.

A counter is the key `<prefix>:rl:<key>:<window_s>:<window_start>`: two policies with different
windows on the same key never share one. A hit is one round trip: a Lua script increments the
counter and, on the first increment, gives it a life of `window_s + 1` seconds, so ended
windows clean themselves up and no counter is ever left without an expiry.
"""

from __future__ import annotations

import dataclasses

from redis.commands.core import AsyncScript

from askdocs.adapters.redis.client import RedisClient
from askdocs.domain.rate_limits import RateLimitDecision, RateLimitPolicy

_HIT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then
    redis.call('EXPIRE', KEYS[1], ARGV[1])
end
return count
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
        self._script: AsyncScript | None = None

    async def hit(self, key: str, policy: RateLimitPolicy, now: float) -> RateLimitDecision:
        redis = self._client.redis
        if self._script is None:
            # Only hashes the script; EVALSHA loads it into Redis on first use.
            self._script = redis.register_script(_HIT)
        async with self._client.translate_errors():
            count = await self._script(
                keys=[self._counter(key, policy, now)], args=[policy.window_s + 1], client=redis
            )
        return policy.decide(int(count), now)

    async def peek(self, key: str, policy: RateLimitPolicy, now: float) -> RateLimitDecision:
        async with self._client.translate_errors():
            raw = await self._client.redis.get(self._counter(key, policy, now))
        count = int(raw or 0)
        return dataclasses.replace(policy.decide(count, now), allowed=count < policy.limit)

    def _counter(self, key: str, policy: RateLimitPolicy, now: float) -> str:
        return self._client.key("rl", key, str(policy.window_s), str(policy.window_start(now)))
