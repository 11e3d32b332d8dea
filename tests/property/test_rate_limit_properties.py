"""Properties of the fixed-window rate-limit arithmetic."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from askdocs.domain.principals import Role
from askdocs.domain.rate_limits import (
    RateLimitDecision,
    RateLimitPolicy,
    limit_keys,
    most_restrictive,
)

windows = st.integers(min_value=1, max_value=7 * 86_400)
limits = st.integers(min_value=0, max_value=100_000)
instants = st.one_of(
    st.integers(min_value=0, max_value=4_000_000_000),
    st.floats(min_value=0, max_value=4e9, allow_nan=False, allow_infinity=False),
)
policies = st.builds(RateLimitPolicy, limit=limits, window_s=windows)
decisions = st.builds(
    RateLimitDecision,
    allowed=st.booleans(),
    limit=limits,
    remaining=limits,
    reset_after_s=windows,
    used=limits,
)
groups = st.from_regex(r"[a-z_]{1,20}", fullmatch=True)


@given(policies, instants)
def test_now_falls_in_the_window_that_starts_on_a_multiple_of_its_length(
    policy: RateLimitPolicy, now: float
) -> None:
    start = policy.window_start(now)

    assert start <= now < start + policy.window_s
    assert start % policy.window_s == 0


@given(policies, instants)
def test_the_reset_comes_within_one_window(policy: RateLimitPolicy, now: float) -> None:
    reset = policy.reset_after(now)

    assert 1 <= reset <= policy.window_s
    # The window ends within the reset, and not a whole second before it.
    end = policy.window_start(now) + policy.window_s
    assert now + reset >= end > now + reset - 1 or reset == 1


@given(policies, instants)
def test_instants_in_one_window_share_its_start(policy: RateLimitPolicy, now: float) -> None:
    start = policy.window_start(now)

    assert policy.window_start(start) == start
    assert policy.window_start(start + policy.window_s - 0.5) == start
    assert policy.window_start(start + policy.window_s) == start + policy.window_s


@given(policies, st.integers(min_value=0, max_value=200_000), instants)
def test_a_request_is_allowed_exactly_while_the_count_is_within_the_limit(
    policy: RateLimitPolicy, count: int, now: float
) -> None:
    decision = policy.decide(count, now)

    assert decision.allowed is (count <= policy.limit)
    assert decision.remaining == max(0, policy.limit - count)
    assert decision.used == min(count, policy.limit)
    assert decision.limit == policy.limit
    assert decision.reset_after_s == policy.reset_after(now)
    assert decision.retry_after_s == (0 if decision.allowed else decision.reset_after_s)


@given(st.lists(decisions, min_size=1, max_size=6))
def test_the_most_restrictive_decision_is_a_refusal_whenever_there_is_one(
    candidates: list[RateLimitDecision],
) -> None:
    chosen = most_restrictive(candidates)

    assert chosen in candidates
    assert chosen.allowed is all(d.allowed for d in candidates)
    peers = [d for d in candidates if d.allowed is chosen.allowed]
    assert chosen.remaining == min(d.remaining for d in peers)
    # Of those, the one that resets last: the client waits for the longest window.
    tied = [d for d in peers if d.remaining == chosen.remaining]
    assert chosen.reset_after_s == max(d.reset_after_s for d in tied)


def test_there_is_no_most_restrictive_of_no_decisions() -> None:
    with pytest.raises(ValueError, match=r"^no rate-limit decisions to choose from$"):
        most_restrictive([])


@given(st.integers(max_value=-1), windows)
def test_a_negative_limit_is_refused(limit: int, window: int) -> None:
    with pytest.raises(ValueError, match="rate limit"):
        RateLimitPolicy(limit=limit, window_s=window)


@given(limits, st.integers(max_value=0))
def test_a_window_shorter_than_a_second_is_refused(limit: int, window: int) -> None:
    with pytest.raises(ValueError, match="rate limit"):
        RateLimitPolicy(limit=limit, window_s=window)


roles = st.sampled_from([role.value for role in Role])


@given(
    st.tuples(groups, st.text(), st.text(), roles),
    st.tuples(groups, st.text(), st.text(), roles),
)
def test_different_groups_addresses_roles_or_subjects_never_share_a_counter(
    first: tuple[str, str, str, str], second: tuple[str, str, str, str]
) -> None:
    first_keys, second_keys = limit_keys(*first), limit_keys(*second)

    assert first_keys[0] != first_keys[1]
    if (first[0], first[1], first[3]) != (second[0], second[1], second[3]):
        assert first_keys[0] != second_keys[0]
    if (first[0], first[2]) != (second[0], second[2]):
        assert first_keys[1] != second_keys[1]
    # A per-IP counter is never a per-principal one, whatever the values.
    assert first_keys[0] != second_keys[1]
    if first == second:
        assert first_keys == second_keys
