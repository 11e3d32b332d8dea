"""Contract: AnswerCache. Subclass AnswerCacheContract once per adapter."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from askdocs.adapters.cache.memory import InMemoryAnswerCache
from askdocs.adapters.cache.redis import RedisAnswerCache
from askdocs.adapters.redis.client import RedisClient
from askdocs.application.ports.cache import AnswerCache
from tests.contract.builders import make_answer

TTL_S = 30.0

Advance = Callable[[float], Awaitable[None]]


class FakeTimer:
    """A monotonic clock that only moves when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class AnswerCacheContract:
    """Behaviour every AnswerCache must have.

    `cache` must start empty, at generation 0, with a time to live of `ttl_s` seconds;
    `advance` must make that many seconds pass for it (a fake timer in memory, a real wait
    elsewhere, where a subclass keeps `ttl_s` short).
    """

    ttl_s: float = TTL_S

    @pytest.fixture
    def cache(self) -> AnswerCache:
        raise NotImplementedError

    @pytest.fixture
    def advance(self) -> Advance:
        raise NotImplementedError

    async def test_a_stored_answer_comes_back(self, cache: AnswerCache) -> None:
        await cache.put("key", make_answer("Forty-two."))
        assert await cache.get("key") == make_answer("Forty-two.")

    async def test_an_unknown_key_is_a_miss(self, cache: AnswerCache) -> None:
        assert await cache.get("never stored") is None

    async def test_putting_again_replaces_the_answer(self, cache: AnswerCache) -> None:
        await cache.put("key", make_answer("first"))
        await cache.put("key", make_answer("second"))
        assert await cache.get("key") == make_answer("second")

    async def test_the_generation_starts_at_zero_and_bumps_by_one(self, cache: AnswerCache) -> None:
        assert await cache.generation() == 0
        assert await cache.bump_generation() == 1
        assert await cache.bump_generation() == 2
        assert await cache.generation() == 2

    async def test_an_answer_expires_after_its_time_to_live(
        self, cache: AnswerCache, advance: Advance
    ) -> None:
        await cache.put("key", make_answer())
        await advance(self.ttl_s / 2)
        assert await cache.get("key") == make_answer()
        await advance(self.ttl_s / 2 + self.ttl_s / 10)
        assert await cache.get("key") is None


class TestInMemoryAnswerCache(AnswerCacheContract):
    @pytest.fixture
    def timer(self) -> FakeTimer:
        return FakeTimer()

    @pytest.fixture
    def cache(self, timer: FakeTimer) -> AnswerCache:
        return InMemoryAnswerCache(ttl_s=TTL_S, timer=timer)

    @pytest.fixture
    def advance(self, timer: FakeTimer) -> Advance:
        async def advance(seconds: float) -> None:
            timer.now += seconds

        return advance

    async def test_the_least_recently_used_answer_is_evicted_when_full(self) -> None:
        cache = InMemoryAnswerCache(max_entries=2)
        await cache.put("a", make_answer("a"))
        await cache.put("b", make_answer("b"))
        assert await cache.get("a") is not None  # "a" is now the most recently used
        await cache.put("c", make_answer("c"))
        assert await cache.get("b") is None
        assert await cache.get("a") == make_answer("a")
        assert await cache.get("c") == make_answer("c")


class TestRedisAnswerCache(AnswerCacheContract):
    ttl_s = 1.0  # expiry is Redis' own clock: the TTL test really waits 1.1 s

    @pytest.fixture
    def cache(self, redis_client: RedisClient) -> AnswerCache:
        return RedisAnswerCache(redis_client, ttl_s=self.ttl_s)

    @pytest.fixture
    def advance(self) -> Advance:
        return asyncio.sleep
