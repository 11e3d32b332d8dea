"""Fixed-window rate-limit policy.

Time is cut into windows of `window_s` seconds aligned on the epoch; each window admits `limit`
requests. The counting happens in an adapter; the arithmetic lives here.
"""

from __future__ import annotations

import dataclasses
import math


@dataclasses.dataclass(frozen=True, slots=True)
class RateLimitPolicy:
    """`limit` requests per `window_s` seconds for one key."""

    limit: int
    window_s: int

    def __post_init__(self) -> None:
        if self.limit < 0 or self.window_s < 1:
            raise ValueError("a rate limit needs limit >= 0 and a window of at least 1 s")

    def window_start(self, now: float) -> int:
        """Start (epoch seconds) of the window that `now` falls in."""
        return int(now // self.window_s) * self.window_s

    def reset_after(self, now: float) -> int:
        """Whole seconds until the current window ends, at least 1."""
        remaining = self.window_start(now) + self.window_s - now
        return max(1, math.ceil(remaining))

    def decide(self, count: int, now: float) -> RateLimitDecision:
        """The verdict for a window in which `count` requests, this one included, were made."""
        return RateLimitDecision(
            allowed=count <= self.limit,
            limit=self.limit,
            remaining=max(0, self.limit - count),
            reset_after_s=self.reset_after(now),
            used=min(count, self.limit),
        )


@dataclasses.dataclass(frozen=True, slots=True)
class RateLimitDecision:
    """Whether a request is admitted, and what the caller has left in the window."""

    allowed: bool
    limit: int
    remaining: int
    reset_after_s: int
    used: int

    @property
    def retry_after_s(self) -> int:
        return 0 if self.allowed else self.reset_after_s


def most_restrictive(decisions: list[RateLimitDecision]) -> RateLimitDecision:
    """The decision a client should be told about: a refusal first, then the least remaining."""
    if not decisions:
        raise ValueError("no rate-limit decisions to choose from")
    return min(decisions, key=lambda d: (d.allowed, d.remaining, -d.reset_after_s))


@dataclasses.dataclass(frozen=True, slots=True)
class RateLimitRule:
    """The limits one route group applies to a role: per client IP and per principal."""

    per_ip: RateLimitPolicy
    per_principal: RateLimitPolicy


def limit_keys(group: str, client_ip: str, subject: str, role: str) -> tuple[str, str]:
    """Counter keys for the per-IP and per-principal limits of a route group.

    The per-IP counter is kept per role: readers sharing an address (an office behind one
    NAT) must not use up the allowance of an editor or admin there.
    """
    return f"rl:{group}:ip:{role}:{client_ip}", f"rl:{group}:principal:{subject}"
