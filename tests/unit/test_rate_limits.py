"""EnforceRateLimit and RateLimitStatus through the real container, on a fixed clock."""

from __future__ import annotations

from typing import Protocol

import pytest
from dependency_injector import providers

from askdocs.adapters.rate_limits.memory import InMemoryRateLimiter
from askdocs.application.errors import UpstreamTimeout
from askdocs.application.rate_limits import RateLimitStatus
from askdocs.domain.principals import Principal, Role
from askdocs.domain.rate_limits import RateLimitDecision, RateLimitPolicy, RateLimitRule
from askdocs.entrypoints.container import Container
from askdocs.entrypoints.wiring import CHAT, DOCUMENT_WRITES
from tests.support.failing import Unreachable
from tests.unit.conftest import FixedClock

pytestmark = pytest.mark.settings(
    rate_limit__window_s=60,
    rate_limit__reader__chat_per_window=3,
    rate_limit__editor__chat_per_window=5,
    rate_limit__editor__writes_per_window=2,
)
READER_CHAT = 3
IP = "203.0.113.7"


class MovableClock(Protocol):
    def advance(self, seconds: float) -> None: ...


async def hit(
    container: Container, principal: Principal, ip: str = IP, group: str = CHAT
) -> RateLimitDecision:
    decision = await container.enforce_rate_limit().execute(group, principal, ip)
    assert decision is not None
    return decision


async def test_a_principal_is_refused_after_its_limit_whatever_its_address(
    container: Container, reader: Principal
) -> None:
    admitted = [await hit(container, reader, ip=f"198.51.100.{n}") for n in range(READER_CHAT)]

    refused = await hit(container, reader, ip="198.51.100.99")

    assert [d.allowed for d in admitted] == [True, True, True]
    assert [d.remaining for d in admitted] == [2, 1, 0]
    assert not refused.allowed
    assert refused.remaining == 0
    assert refused.retry_after_s == 30  # the clock stands 30 s into a 60 s window


async def test_an_address_is_refused_after_its_limit_whatever_the_principal(
    container: Container,
) -> None:
    readers = [Principal(subject=f"key:{n}", role=Role.READER) for n in range(READER_CHAT + 1)]

    decisions = [await hit(container, principal) for principal in readers]

    assert [d.allowed for d in decisions] == [True, True, True, False]


async def test_another_principal_at_another_address_is_unaffected(
    container: Container, reader: Principal
) -> None:
    for _ in range(READER_CHAT + 1):
        await hit(container, reader)

    other = await hit(container, Principal("carol", Role.READER), ip="192.0.2.1")

    assert other.allowed
    assert other.remaining == READER_CHAT - 1


async def test_each_role_has_its_own_limit(container: Container, editor: Principal) -> None:
    decisions = [await hit(container, editor) for _ in range(6)]

    assert [d.allowed for d in decisions] == [True] * 5 + [False]
    assert decisions[0].limit == 5


async def test_a_new_window_admits_requests_again(
    container: Container, reader: Principal, clock: MovableClock
) -> None:
    for _ in range(READER_CHAT):
        await hit(container, reader)
    assert not (await hit(container, reader)).allowed

    clock.advance(30)  # exactly the start of the next window

    fresh = await hit(container, reader)
    assert fresh.allowed
    assert fresh.remaining == READER_CHAT - 1
    assert fresh.reset_after_s == 60


async def test_readers_are_not_limited_on_document_writes(
    container: Container, reader: Principal
) -> None:
    decision = await container.enforce_rate_limit().execute(DOCUMENT_WRITES, reader, IP)

    assert decision is None


async def test_a_group_without_rules_is_not_limited(
    container: Container, reader: Principal
) -> None:
    assert await container.enforce_rate_limit().execute("nonexistent", reader, IP) is None


async def test_document_writes_and_chat_are_counted_apart(
    container: Container, editor: Principal
) -> None:
    writes = [await hit(container, editor, group=DOCUMENT_WRITES) for _ in range(3)]

    chat = await hit(container, editor)

    assert [d.allowed for d in writes] == [True, True, False]
    assert chat.allowed
    assert chat.remaining == 4


async def test_status_peeks_without_consuming_anything(
    container: Container, reader: Principal
) -> None:
    status = container.rate_limit_status()
    for _ in range(10):
        peeked = await status.execute(reader, IP)

    assert set(peeked) == {CHAT}
    assert peeked[CHAT].allowed
    assert peeked[CHAT].remaining == READER_CHAT
    assert [(await hit(container, reader)).allowed for _ in range(READER_CHAT)] == [True] * 3


async def test_status_reports_what_is_left_and_when_the_limit_is_used_up(
    container: Container, reader: Principal
) -> None:
    status = container.rate_limit_status()
    await hit(container, reader)
    await hit(container, reader)

    partway = (await status.execute(reader, IP))[CHAT]
    await hit(container, reader)
    used_up = (await status.execute(reader, IP))[CHAT]

    assert (partway.allowed, partway.remaining, partway.used) == (True, 1, 2)
    assert (used_up.allowed, used_up.remaining, used_up.used) == (False, 0, 3)
    assert used_up.retry_after_s == 30


async def test_status_covers_every_group_an_editor_is_limited_in(
    container: Container, editor: Principal
) -> None:
    status = await container.rate_limit_status().execute(editor, IP)

    assert {group: d.remaining for group, d in status.items()} == {CHAT: 5, DOCUMENT_WRITES: 2}


async def test_status_shows_an_address_used_up_by_another_principal(
    container: Container, reader: Principal
) -> None:
    for _ in range(READER_CHAT):
        await hit(container, Principal("carol", Role.READER))

    at_the_address = (await container.rate_limit_status().execute(reader, IP))[CHAT]
    elsewhere = (await container.rate_limit_status().execute(reader, "198.51.100.1"))[CHAT]

    assert (at_the_address.allowed, at_the_address.remaining) == (False, 0)
    assert (elsewhere.allowed, elsewhere.remaining) == (True, READER_CHAT)


async def test_status_follows_a_principal_from_address_to_address(
    container: Container, reader: Principal
) -> None:
    for n in range(READER_CHAT):
        await hit(container, reader, ip=f"198.51.100.{n}")

    status = (await container.rate_limit_status().execute(reader, IP))[CHAT]

    assert (status.allowed, status.remaining) == (False, 0)


async def test_readers_behind_one_address_leave_an_editor_there_its_allowance(
    container: Container, reader: Principal, editor: Principal
) -> None:
    for _ in range(READER_CHAT):
        await hit(container, reader)

    decision = await hit(container, editor)

    assert (decision.allowed, decision.remaining) == (True, 4)


async def test_status_skips_a_group_without_a_rule_for_the_role_and_reports_the_rest(
    reader: Principal, clock: FixedClock
) -> None:
    policy = RateLimitPolicy(limit=4, window_s=60)
    rules = {
        DOCUMENT_WRITES: {Role.EDITOR: RateLimitRule(policy, policy)},
        CHAT: {Role.READER: RateLimitRule(policy, policy)},
    }

    status = await RateLimitStatus(InMemoryRateLimiter(), clock, rules).execute(reader, IP)

    assert {group: d.remaining for group, d in status.items()} == {CHAT: 4}


class SilentlyDown:
    """A rate limiter that times out without saying more."""

    async def hit_many(self, hits: object, now: float) -> None:
        raise UpstreamTimeout()


async def test_counters_that_cannot_be_reached_are_named_in_the_warning(
    container: Container, reader: Principal, caplog: pytest.LogCaptureFixture
) -> None:
    container.rate_limiter.override(providers.Object(Unreachable()))
    assert await container.enforce_rate_limit().execute(CHAT, reader, IP) is None
    container.rate_limiter.override(providers.Object(SilentlyDown()))
    container.enforce_rate_limit.reset()
    assert await container.enforce_rate_limit().execute(CHAT, reader, IP) is None

    assert [r.getMessage() for r in caplog.records if r.name == "askdocs.rate_limits"] == [
        "rate limits not enforced: hit_many: connection refused",
        "rate limits not enforced: UpstreamTimeout",
    ]
