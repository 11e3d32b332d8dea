"""Contract: ProviderHealth (LLM provider cooldowns). Subclass ProviderHealthContract once per
adapter."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from askdocs.adapters.providers.memory import InMemoryProviderHealth
from askdocs.adapters.providers.redis import RedisProviderHealth
from askdocs.adapters.redis.client import RedisClient
from askdocs.application.ports import ProviderHealth
from tests.support.timers import FakeTimer

Advance = Callable[[float], Awaitable[None]]


class ProviderHealthContract:
    """Behaviour every ProviderHealth must have.

    `health` must hold no cooldowns; `advance` must make seconds pass for it. Cooldowns in
    the tests last `cooldown_s` (short where time really passes).
    """

    cooldown_s: float = 300.0

    @pytest.fixture
    def health(self) -> ProviderHealth:
        raise NotImplementedError

    @pytest.fixture
    def advance(self) -> Advance:
        raise NotImplementedError

    async def test_a_provider_never_cooled_down_is_healthy(self, health: ProviderHealth) -> None:
        assert not await health.is_cooling_down("openai")

    async def test_a_cooldown_holds_only_its_provider(self, health: ProviderHealth) -> None:
        await health.cool_down("openai", self.cooldown_s)
        assert await health.is_cooling_down("openai")
        assert not await health.is_cooling_down("groq")

    async def test_a_cooldown_ends_after_its_duration(
        self, health: ProviderHealth, advance: Advance
    ) -> None:
        await health.cool_down("openai", self.cooldown_s)
        await advance(self.cooldown_s / 2)
        assert await health.is_cooling_down("openai")
        await advance(self.cooldown_s)
        assert not await health.is_cooling_down("openai")

    async def test_a_non_positive_duration_ends_a_cooldown(self, health: ProviderHealth) -> None:
        await health.cool_down("openai", self.cooldown_s)
        await health.cool_down("openai", 0)
        assert not await health.is_cooling_down("openai")


class TestInMemoryProviderHealth(ProviderHealthContract):
    @pytest.fixture
    def timer(self) -> FakeTimer:
        return FakeTimer()

    @pytest.fixture
    def health(self, timer: FakeTimer) -> ProviderHealth:
        return InMemoryProviderHealth(timer=timer)

    @pytest.fixture
    def advance(self, timer: FakeTimer) -> Advance:
        async def advance(seconds: float) -> None:
            timer.now += seconds

        return advance


class TestRedisProviderHealth(ProviderHealthContract):
    cooldown_s = 0.4  # expiry is Redis' own clock: the expiry test really waits 0.6 s

    @pytest.fixture
    def health(self, redis_client: RedisClient) -> ProviderHealth:
        return RedisProviderHealth(redis_client)

    @pytest.fixture
    def advance(self) -> Advance:
        return asyncio.sleep
