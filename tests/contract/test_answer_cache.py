"""Contract: AnswerCache. Subclass AnswerCacheContract once per adapter, through
StoringAnswerCacheContract for every one but the disabled cache, which keeps nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from askdocs.adapters.cache.disabled import DisabledAnswerCache
from askdocs.adapters.cache.memory import InMemoryAnswerCache
from askdocs.adapters.cache.redis import RedisAnswerCache
from askdocs.adapters.redis.client import RedisClient
from askdocs.application.ports.cache import AnswerCache, CacheLookup
from tests.contract.builders import make_answer
from tests.support.settings_wiring import from_settings
from tests.support.timers import FakeTimer

TTL_S = 30.0

Advance = Callable[[float], Awaitable[None]]


class AnswerCacheContract:
    """Behaviour every AnswerCache must have, one that keeps nothing included: lookups agree
    with `generation`, and no answer from before a document change is ever served."""

    @pytest.fixture
    def cache(self) -> AnswerCache:
        raise NotImplementedError

    async def test_a_lookup_reports_the_current_generation(self, cache: AnswerCache) -> None:
        assert await cache.lookup("never stored") == CacheLookup(None, await cache.generation())
        bumped = await cache.bump_generation()
        assert await cache.generation() == bumped
        assert await cache.lookup("never stored") == CacheLookup(None, bumped)

    async def test_a_bump_hides_every_answer_stored_before_it(self, cache: AnswerCache) -> None:
        looked = await cache.lookup("key")
        await cache.put("key", looked.generation, make_answer("before the change"))
        await cache.bump_generation()
        assert (await cache.lookup("key")).answer is None

    async def test_an_answer_computed_across_a_bump_is_not_stored(self, cache: AnswerCache) -> None:
        looked = await cache.lookup("key")  # a miss; the answer is computed from old documents
        await cache.bump_generation()  # meanwhile a document changes
        await cache.put("key", looked.generation, make_answer("from the old documents"))
        assert (await cache.lookup("key")).answer is None

    async def test_nothing_is_stored_under_a_negative_generation(self, cache: AnswerCache) -> None:
        await cache.put("key", -1, make_answer("looked up while the cache was down"))
        assert (await cache.lookup("key")).answer is None


class StoringAnswerCacheContract(AnswerCacheContract):
    """Behaviour of an AnswerCache that keeps answers.

    `cache` must start empty, at generation 0, with a time to live of `ttl_s` seconds;
    `advance` must make that many seconds pass for it (a fake timer in memory, a real wait
    elsewhere, where a subclass keeps `ttl_s` short).
    """

    ttl_s: float = TTL_S

    @pytest.fixture
    def advance(self) -> Advance:
        raise NotImplementedError

    async def test_a_stored_answer_comes_back(self, cache: AnswerCache) -> None:
        await cache.put("key", 0, make_answer("Forty-two."))
        assert await cache.lookup("key") == CacheLookup(make_answer("Forty-two."), 0)

    async def test_putting_again_replaces_the_answer(self, cache: AnswerCache) -> None:
        await cache.put("key", 0, make_answer("first"))
        await cache.put("key", 0, make_answer("second"))
        assert (await cache.lookup("key")).answer == make_answer("second")

    async def test_the_generation_starts_at_zero_and_bumps_by_one(self, cache: AnswerCache) -> None:
        assert await cache.generation() == 0
        assert await cache.bump_generation() == 1
        assert await cache.bump_generation() == 2
        assert await cache.generation() == 2

    async def test_an_answer_stored_under_the_new_generation_is_served(
        self, cache: AnswerCache
    ) -> None:
        await cache.bump_generation()
        looked = await cache.lookup("key")
        await cache.put("key", looked.generation, make_answer("from the new documents"))
        assert await cache.lookup("key") == CacheLookup(make_answer("from the new documents"), 1)

    async def test_an_answer_expires_after_its_time_to_live(
        self, cache: AnswerCache, advance: Advance
    ) -> None:
        await cache.put("key", 0, make_answer())
        await advance(self.ttl_s / 2)
        assert (await cache.lookup("key")).answer == make_answer()
        await advance(self.ttl_s / 2 + self.ttl_s / 10)
        assert (await cache.lookup("key")).answer is None


class TestInMemoryAnswerCache(StoringAnswerCacheContract):
    @pytest.fixture
    def timer(self) -> FakeTimer:
        return FakeTimer()

    @pytest.fixture
    def cache(self, timer: FakeTimer) -> AnswerCache:
        return from_settings(InMemoryAnswerCache, ttl_s=TTL_S, timer=timer)

    @pytest.fixture
    def advance(self, timer: FakeTimer) -> Advance:
        async def advance(seconds: float) -> None:
            timer.now += seconds

        return advance

    async def test_the_least_recently_used_answer_is_evicted_when_full(self) -> None:
        cache = from_settings(InMemoryAnswerCache, max_entries=2)
        await cache.put("a", 0, make_answer("a"))
        await cache.put("b", 0, make_answer("b"))
        assert (await cache.lookup("a")).answer is not None  # "a" is now the most recently used
        await cache.put("c", 0, make_answer("c"))
        assert (await cache.lookup("b")).answer is None
        assert (await cache.lookup("a")).answer == make_answer("a")
        assert (await cache.lookup("c")).answer == make_answer("c")


class TestRedisAnswerCache(StoringAnswerCacheContract):
    ttl_s = 1.0  # expiry is Redis' own clock: the TTL test really waits 1.1 s

    @pytest.fixture
    def cache(self, redis_client: RedisClient) -> AnswerCache:
        return RedisAnswerCache(redis_client, ttl_s=self.ttl_s)

    @pytest.fixture
    def advance(self) -> Advance:
        return asyncio.sleep


class TestDisabledAnswerCache(AnswerCacheContract):
    @pytest.fixture
    def cache(self) -> AnswerCache:
        return DisabledAnswerCache()

    async def test_an_answer_put_under_the_generation_it_reports_never_comes_back(
        self, cache: AnswerCache
    ) -> None:
        looked = await cache.lookup("key")
        await cache.put("key", looked.generation, make_answer())
        assert await cache.lookup("key") == CacheLookup(None, looked.generation)

    async def test_its_generation_is_negative_whatever_changes(self, cache: AnswerCache) -> None:
        # The port's sign for "nothing is stored under this generation".
        assert await cache.generation() < 0
        assert await cache.bump_generation() < 0
        assert await cache.generation() < 0
