"""RedisClient: one lazily created redis-py asyncio client per process, and its error mapping.

Nothing connects at import or construction time: redis-py opens connections on first use.
Every driver error leaves through `RedisClient.translate_errors`, the single place redis-py
exceptions become the application's errors. redis-py retries nothing here: the callers
already degrade (the cache serves a miss, the limiter fails open or closed), and retries
stacked under them would only multiply the time a request waits on a dead server. For the
same reason every call passes a circuit breaker (`breaker`): once Redis has failed to answer,
calls fail at once instead of each waiting for the timeout again.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import redis.asyncio
import redis.exceptions
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from askdocs.adapters.redis.batching import BatchedScript, CommandBatcher
from askdocs.adapters.redis.breaker import CircuitBreaker
from askdocs.application.errors import UpstreamTimeout, UpstreamUnavailable
from askdocs.application.ports.observability import Metrics

# redis-py's TimeoutError is not the built-in one; asyncio's is (and is an OSError).
_TIMEOUTS = (redis.exceptions.TimeoutError, TimeoutError)
# RedisError covers ConnectionError, BusyLoadingError, AuthenticationError, ResponseError
# (OOM, READONLY, NOSCRIPT, WRONGTYPE, ...), DataError and the rest of the tree.
_UNAVAILABLE = (redis.exceptions.RedisError, OSError)


class RedisClient:
    """A redis-py asyncio client created on first use, with askdocs' key prefix.

    Args:
        url: `redis://`, `rediss://` or `unix://` URL; it may carry a password, so it is never
            logged or put in an error message.
        socket_timeout_s: how long to wait to connect and for each reply before UpstreamTimeout.
        prefix: the namespace of every key askdocs writes (one Redis may serve several apps).
        health_check_interval_s: a connection idle for longer is PINGed before it is reused, so
            one dropped by a firewall fails there rather than mid-command.
        breaker_cooldown_s: after a call fails to reach Redis, how long calls fail at once
            before one is let through to try again.
        metrics: where the breaker counts its openings.
    """

    def __init__(
        self,
        url: str,
        *,
        socket_timeout_s: float,
        prefix: str,
        health_check_interval_s: int = 30,
        breaker_cooldown_s: float,
        metrics: Metrics | None = None,
    ) -> None:
        self.prefix = prefix
        self._url = url
        self._socket_timeout_s = socket_timeout_s
        self._health_check_interval_s = health_check_interval_s
        self._redis: redis.asyncio.Redis | None = None
        self._batcher = CommandBatcher(lambda: self.redis)
        self._breaker = CircuitBreaker(cooldown_s=breaker_cooldown_s, metrics=metrics)

    @property
    def redis(self) -> redis.asyncio.Redis:
        """The redis-py client, created now if this is the first use (it connects lazily)."""
        if self._redis is None:
            self._redis = redis.asyncio.Redis.from_url(
                self._url,
                decode_responses=False,
                socket_connect_timeout=self._socket_timeout_s,
                socket_timeout=self._socket_timeout_s,
                health_check_interval=self._health_check_interval_s,
                retry=Retry(NoBackoff(), 0),
            )
        return self._redis

    async def execute(self, *args: Any) -> Any:
        """One command (`"GET", key`), sent in one pipeline with the others of this loop turn
        (`batching`); redis-py's errors as they are, for `translate_errors`, or
        UpstreamUnavailable at once while the breaker is open."""
        with self._breaker.guard():
            return await self._batcher.execute(*args)

    def script(self, source: str) -> BatchedScript:
        """A Lua script whose calls are batched, and guarded, like `execute`'s commands."""
        return BatchedScript(self.execute, source)

    def key(self, *parts: str) -> str:
        """`parts` joined by colons under the prefix: `key("rl", "x")` is `askdocs:rl:x`."""
        return ":".join((self.prefix, *parts))

    @contextlib.asynccontextmanager
    async def translate_errors(self) -> AsyncIterator[None]:
        """Map redis-py failures to UpstreamTimeout / UpstreamUnavailable, keeping the cause."""
        try:
            yield
        except _TIMEOUTS as exc:
            raise UpstreamTimeout("Redis did not answer in time") from exc
        except _UNAVAILABLE as exc:
            raise UpstreamUnavailable(f"Redis is unavailable ({type(exc).__name__})") from exc

    async def ping(self) -> None:
        """Raise UpstreamUnavailable or UpstreamTimeout unless Redis answers a PING."""
        async with self.translate_errors():
            with self._breaker.guard():
                await self.redis.ping()

    async def close(self) -> None:
        """Close the connections if the client was ever created; a later use reopens them."""
        if self._redis is not None:
            client, self._redis = self._redis, None
            await client.aclose()
