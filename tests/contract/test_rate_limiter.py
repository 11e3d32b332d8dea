"""Contract: RateLimiter. Subclass RateLimiterContract once per adapter."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from askdocs.adapters.rate_limits.memory import InMemoryRateLimiter
from askdocs.adapters.rate_limits.redis import RedisRateLimiter
from askdocs.adapters.redis.client import RedisClient
from askdocs.application.ports.rate_limits import RateLimiter
from askdocs.domain.rate_limits import RateLimitPolicy

# A minute's start (T0 % 60 == 0) far in the future: a store expiring keys by wall-clock
# time keeps them for the test.
T0 = 4_000_000_020.0
POLICY = RateLimitPolicy(limit=3, window_s=60)


class RateLimiterContract:
    """Behaviour every RateLimiter must have; `limiter` must hold no counts yet."""

    @pytest.fixture
    def limiter(self) -> RateLimiter:
        raise NotImplementedError

    async def test_the_limit_is_admitted_then_refused(self, limiter: RateLimiter) -> None:
        decisions = [await limiter.hit("ip:1", POLICY, T0 + n) for n in range(5)]
        assert [d.allowed for d in decisions] == [True, True, True, False, False]
        assert [d.remaining for d in decisions] == [2, 1, 0, 0, 0]
        assert decisions[-1].limit == 3
        assert decisions[-1].retry_after_s == 56  # the window ends at T0 + 60

    async def test_hit_many_counts_each_key_once_in_order(self, limiter: RateLimiter) -> None:
        daily = RateLimitPolicy(limit=10, window_s=86_400)
        await limiter.hit("ip:1", POLICY, T0)
        first, second = await limiter.hit_many([("ip:1", POLICY), ("user:a", daily)], T0 + 1)
        assert (first.limit, first.remaining) == (3, 1)
        assert (second.limit, second.remaining) == (10, 9)
        assert (await limiter.peek("user:a", daily, T0 + 2)).used == 1
        assert await limiter.hit_many([], T0) == []

    async def test_a_new_window_starts_afresh(self, limiter: RateLimiter) -> None:
        for n in range(4):
            await limiter.hit("ip:1", POLICY, T0 + n)
        fresh = await limiter.hit("ip:1", POLICY, T0 + POLICY.window_s)
        assert fresh.allowed
        assert fresh.remaining == 2

    async def test_peek_counts_nothing_and_matches_the_last_hit(self, limiter: RateLimiter) -> None:
        first = await limiter.peek("ip:1", POLICY, T0)
        assert (first.allowed, first.remaining, first.used) == (True, 3, 0)
        hit = await limiter.hit("ip:1", POLICY, T0)
        for _ in range(3):
            peeked = await limiter.peek("ip:1", POLICY, T0 + 1)
            assert (peeked.allowed, peeked.remaining, peeked.used) == (True, hit.remaining, 1)
        assert (await limiter.hit("ip:1", POLICY, T0 + 2)).remaining == 1

    async def test_peek_after_the_last_admitted_request_says_the_next_is_refused(
        self, limiter: RateLimiter
    ) -> None:
        for n in range(3):
            await limiter.hit("ip:1", POLICY, T0 + n)
        peeked = await limiter.peek("ip:1", POLICY, T0 + 10)
        assert (peeked.allowed, peeked.remaining) == (False, 0)
        assert peeked.retry_after_s == peeked.reset_after_s > 0

    async def test_keys_are_counted_independently(self, limiter: RateLimiter) -> None:
        for n in range(3):
            await limiter.hit("ip:1", POLICY, T0 + n)
        assert not (await limiter.hit("ip:1", POLICY, T0 + 3)).allowed
        other = await limiter.hit("ip:2", POLICY, T0 + 3)
        assert (other.allowed, other.remaining) == (True, 2)

    async def test_a_zero_limit_refuses_everything(self, limiter: RateLimiter) -> None:
        closed = RateLimitPolicy(limit=0, window_s=60)
        assert not (await limiter.peek("ip:1", closed, T0)).allowed
        assert not (await limiter.hit("ip:1", closed, T0)).allowed

    # Each subclass runs this method with its own limiter: differing executors are by design.
    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.differing_executors,
        ],
    )
    @given(
        limit=st.integers(min_value=0, max_value=8),
        offsets=st.lists(st.floats(min_value=0, max_value=59.999), max_size=20),
    )
    async def test_within_one_window_exactly_min_of_hits_and_limit_are_admitted(
        self, limiter: RateLimiter, limit: int, offsets: list[float]
    ) -> None:
        policy = RateLimitPolicy(limit=limit, window_s=60)
        key = f"prop:{uuid.uuid4().hex}"  # the limiter is shared by the examples
        start = policy.window_start(T0)
        decisions = [await limiter.hit(key, policy, start + t) for t in sorted(offsets)]
        assert sum(d.allowed for d in decisions) == min(len(offsets), limit)
        assert all(d.allowed for d in decisions[:limit])


class TestInMemoryRateLimiter(RateLimiterContract):
    @pytest.fixture
    def limiter(self) -> RateLimiter:
        return InMemoryRateLimiter()

    async def test_ended_windows_are_forgotten(self) -> None:
        limiter = InMemoryRateLimiter()
        for n in range(100):
            await limiter.hit(f"ip:{n}", POLICY, T0)
        await limiter.hit("ip:late", POLICY, T0 + 10 * POLICY.window_s)
        assert len(limiter._counts) == 1

    async def test_policies_with_different_windows_do_not_share_a_counter(self) -> None:
        limiter = InMemoryRateLimiter()
        day = RateLimitPolicy(limit=5, window_s=86_400)
        minute = RateLimitPolicy(limit=5, window_s=60)
        midnight = 86_400.0 * 50_000  # both windows start here
        await limiter.hit("ip:1", day, midnight)
        assert (await limiter.hit("ip:1", minute, midnight)).remaining == 4


class TestRedisRateLimiter(RateLimiterContract):
    @pytest.fixture
    def limiter(self, redis_client: RedisClient) -> RateLimiter:
        return RedisRateLimiter(redis_client)
