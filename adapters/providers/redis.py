"""ProviderHealth in Redis: a cooldown one worker starts holds for every worker.

A cooldown is the key `<prefix>:cooldown:<provider>` with a millisecond expiry; it exists
exactly as long as the cooldown lasts. Redis being unreachable never blocks a provider:
`is_cooling_down` then answers False (assume healthy) and `cool_down` is dropped, both
logged once per outage (`askdocs.providers`).
"""

from __future__ import annotations

import math

import structlog

from askdocs.adapters.redis.client import RedisClient
from askdocs.adapters.redis.degradation import OutageLog
from askdocs.application.errors import UpstreamError

log = structlog.get_logger("askdocs.providers")


class RedisProviderHealth:
    """Cooldowns per provider name in Redis, shared by every process.

    A new cooldown replaces the current one; a non-positive duration ends it. Never raises.
    """

    def __init__(self, client: RedisClient) -> None:
        self._client = client
        self._outage = OutageLog(log, "provider cooldowns")

    async def cool_down(self, provider: str, seconds: float) -> None:
        key = self._client.key("cooldown", provider)
        try:
            async with self._client.translate_errors():
                if seconds <= 0:
                    await self._client.execute("DEL", key)
                else:
                    await self._client.execute("SET", key, b"1", "PX", math.ceil(seconds * 1000))
        except UpstreamError as exc:
            self._outage.failed("cool_down", exc)
            return
        self._outage.succeeded()

    async def is_cooling_down(self, provider: str) -> bool:
        try:
            async with self._client.translate_errors():
                found = await self._client.execute("EXISTS", self._client.key("cooldown", provider))
        except UpstreamError as exc:
            self._outage.failed("is_cooling_down", exc)
            return False
        self._outage.succeeded()
        return bool(found)
