"""A hung Redis behind the adapters: one call waits for the timeout, the others fail at once.

A private redis-server is frozen with SIGSTOP (connections are accepted, nothing answers) and
thawed with SIGCONT; the machine's shared Redis is never touched. A call "waited" when it took
most of the socket timeout; a call the breaker refused takes microseconds.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest

from askdocs.adapters.cache.redis import RedisAnswerCache
from askdocs.adapters.conversations.redis import RedisConversationStore
from askdocs.adapters.providers.redis import RedisProviderHealth
from askdocs.adapters.rate_limits.redis import RedisRateLimiter
from askdocs.adapters.redis.client import RedisClient
from askdocs.application.errors import UpstreamError
from askdocs.domain.rate_limits import RateLimitPolicy
from askdocs.entrypoints.readiness import Readiness
from tests.support.private_redis import PrivateRedis, private_redis
from tests.support.settings_wiring import from_settings

TIMEOUT_S = 0.3
COOLDOWN_S = 1.0
WAITED_S = 0.8 * TIMEOUT_S
NOW = 4_000_000_020.0
POLICY = RateLimitPolicy(limit=1000, window_s=60)

Call = Callable[[], Awaitable[object]]


@pytest.fixture(scope="module")
def server() -> Iterator[PrivateRedis]:
    with private_redis() as running:
        yield running


@pytest.fixture
async def client(server: PrivateRedis) -> AsyncIterator[RedisClient]:
    client = RedisClient(
        server.url,
        socket_timeout_s=TIMEOUT_S,
        breaker_cooldown_s=COOLDOWN_S,
        prefix=f"t{uuid.uuid4().hex}",
    )
    yield client
    server.thaw()
    await client.close()


def adapter_calls(client: RedisClient) -> list[Call]:
    """What a chat asks Redis for, through the adapters that ask it."""
    cache = RedisAnswerCache(client, ttl_s=60)
    limiter = RedisRateLimiter(client)
    store = from_settings(RedisConversationStore, client=client)
    health = RedisProviderHealth(client)
    return [
        lambda: limiter.hit("ip:1", POLICY, NOW),
        lambda: store.get("s1", "key:alice"),
        lambda: cache.lookup("fingerprint"),
        lambda: health.is_cooling_down("openai"),
    ]


async def timed(call: Call) -> tuple[float, object]:
    """Seconds the call took, and its result or the UpstreamError it raised."""
    started = time.perf_counter()
    try:
        result = await call()
    except UpstreamError as exc:
        result = exc
    return time.perf_counter() - started, result


async def test_twenty_calls_to_a_hung_redis_wait_for_one_timeout(
    client: RedisClient, server: PrivateRedis
) -> None:
    calls = adapter_calls(client)
    for call in calls:  # connections open, scripts loaded
        await call()
    server.freeze()

    started = time.perf_counter()
    outcomes = [await timed(calls[n % len(calls)]) for n in range(20)]
    total = time.perf_counter() - started

    waited = [seconds for seconds, _ in outcomes if seconds >= WAITED_S]
    assert len(waited) == 1
    assert total < 3 * TIMEOUT_S
    limiter_outcomes = [result for _, result in outcomes[:: len(calls)]]
    assert all(isinstance(result, UpstreamError) for result in limiter_outcomes)
    assert all(result.generation < 0 for _, result in outcomes[2 :: len(calls)])  # misses


async def test_redis_is_used_again_once_it_answers_and_the_period_is_over(
    client: RedisClient, server: PrivateRedis
) -> None:
    limiter = RedisRateLimiter(client)
    await limiter.hit("ip:1", POLICY, NOW)
    server.freeze()
    with pytest.raises(UpstreamError):
        await limiter.hit("ip:1", POLICY, NOW)
    server.thaw()
    with pytest.raises(UpstreamError):  # answering again, but the breaker has not tried yet
        await limiter.hit("ip:1", POLICY, NOW)

    await asyncio.sleep(COOLDOWN_S)
    decisions = [await limiter.hit("ip:2", POLICY, NOW) for _ in range(3)]
    assert [d.used for d in decisions] == [1, 2, 3]


async def test_while_redis_stays_hung_one_call_per_period_waits(
    client: RedisClient, server: PrivateRedis
) -> None:
    calls = adapter_calls(client)
    await calls[0]()
    server.freeze()
    await timed(calls[0])  # opens the breaker
    await asyncio.sleep(COOLDOWN_S)

    async def later(n: int) -> tuple[float, object]:
        await asyncio.sleep(0.01 * n)  # spread over the trial's wait, not one batch
        return await timed(calls[n % len(calls)])

    outcomes = await asyncio.gather(*(later(n) for n in range(12)))
    assert [seconds >= WAITED_S for seconds, _ in outcomes] == [True] + [False] * 11


async def test_readiness_is_degraded_while_the_breaker_is_open_and_its_probe_closes_it(
    client: RedisClient, server: PrivateRedis
) -> None:
    readiness = Readiness({"redis": client.ping}, embedded=[], critical=frozenset())
    assert await readiness.report() == ("ok", {"redis": "ok"})
    server.freeze()
    assert await readiness.report() == ("degraded", {"redis": "unavailable"})
    probe_s, report = await timed(readiness.report)
    assert report == ("degraded", {"redis": "unavailable"})
    assert probe_s < WAITED_S

    server.thaw()
    await asyncio.sleep(COOLDOWN_S)
    assert await readiness.report() == ("ok", {"redis": "ok"})  # no other traffic tried it


async def test_error_replies_do_not_stop_calls_from_reaching_redis(client: RedisClient) -> None:
    store = from_settings(RedisConversationStore, client=client)
    failing_script = client.script("return redis.call('INCR', KEYS[1])")
    await client.execute("SET", client.key("text"), "not a number")

    for _ in range(3):
        with pytest.raises(UpstreamError):  # WRONGTYPE from Redis, not an outage
            async with client.translate_errors():
                await client.execute("LPUSH", client.key("text"), "x")
        with pytest.raises(UpstreamError):  # the script's INCR fails inside Redis
            async with client.translate_errors():
                await failing_script([client.key("text")], [])

    assert await store.get("s1", "key:alice") is None
    assert await client.execute("GET", client.key("text")) == b"not a number"
