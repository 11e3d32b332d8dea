"""LimitFailedSignIns through the real container: an address that failed too often is refused
until its window passes, and a limiter that is down limits nobody."""

from __future__ import annotations

import pytest
from dependency_injector import providers

from askdocs.application.errors import UpstreamTimeout
from askdocs.entrypoints.container import Container
from tests.support.failing import Unreachable
from tests.unit.conftest import FixedClock

pytestmark = pytest.mark.settings(
    rate_limit__failed_sign_ins_per_window=2, rate_limit__failed_sign_ins_window_s=60
)
ADDRESS = "203.0.113.9"


async def test_an_address_is_refused_once_it_has_failed_as_often_as_allowed(
    container: Container, clock: FixedClock
) -> None:
    limit = container.limit_failed_sign_ins()

    await limit.failed(ADDRESS)
    assert await limit.refusal(ADDRESS) is None
    await limit.failed(ADDRESS)
    refusal = await limit.refusal(ADDRESS)

    assert refusal is not None
    assert (refusal.allowed, refusal.limit, refusal.remaining) == (False, 2, 0)
    assert refusal.retry_after_s == 30  # the clock stands 30 s into a 60 s window
    assert await limit.refusal("203.0.113.10") is None
    clock.advance(30)
    assert await limit.refusal(ADDRESS) is None


async def test_failed_sign_ins_go_unlimited_while_the_counters_are_down(
    container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    container.rate_limiter.override(providers.Object(Unreachable()))
    limit = container.limit_failed_sign_ins()

    for _ in range(3):
        await limit.failed(ADDRESS)

    assert await limit.refusal(ADDRESS) is None
    assert [r.getMessage() for r in caplog.records][-2:] == [
        "failed sign-in not counted: hit: connection refused",
        "failed sign-ins not limited: peek: connection refused",
    ]


class SilentlyDown:
    """A rate limiter that times out without saying more."""

    async def hit(self, key: str, policy: object, now: float) -> None:
        raise UpstreamTimeout()

    async def peek(self, key: str, policy: object, now: float) -> None:
        raise UpstreamTimeout()


async def test_a_failure_without_detail_is_named_by_its_kind(
    container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    container.rate_limiter.override(providers.Object(SilentlyDown()))
    limit = container.limit_failed_sign_ins()

    await limit.failed(ADDRESS)
    assert await limit.refusal(ADDRESS) is None

    assert [r.getMessage() for r in caplog.records] == [
        "failed sign-in not counted: UpstreamTimeout",
        "failed sign-ins not limited: UpstreamTimeout",
    ]
