"""EnforceRateLimit and RateLimitStatus: the per-role limits of each route group."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping

from askdocs.application.errors import UpstreamError
from askdocs.application.ports import Clock, Metrics, RateLimiter
from askdocs.domain.principals import Principal, Role
from askdocs.domain.rate_limits import (
    RateLimitDecision,
    RateLimitPolicy,
    RateLimitRule,
    limit_keys,
    most_restrictive,
)

log = logging.getLogger("askdocs.rate_limits")

RateLimitRules = Mapping[str, Mapping[Role, RateLimitRule]]
"""Route group -> role -> rule."""
SIGN_IN_GROUP = "sign_in"
"""The group `rate_limit_rejections` counts refused sign-ins under."""
REJECTIONS = "rate_limit_rejections"


@dataclasses.dataclass(frozen=True, slots=True)
class EnforceRateLimit:
    """Count a request against its group's limits and return the most restrictive verdict.

    The caller refuses the request when the verdict is not `allowed`; the verdict also feeds
    the RateLimit-* headers. Groups without a rule are not limited (None). When the counters
    cannot be reached, `fail_open` admits the request unlimited (None, with a warning logged);
    otherwise the failure propagates and the request is refused as unavailable. A refusing
    verdict counts one `rate_limit_rejections` of its `group`.

    Raises:
        UpstreamError: the limiter's store failed and `fail_open` is false.
    """

    limiter: RateLimiter
    clock: Clock
    rules: RateLimitRules
    fail_open: bool
    metrics: Metrics

    async def execute(
        self, group: str, principal: Principal, client_ip: str
    ) -> RateLimitDecision | None:
        rule = self.rules.get(group, {}).get(principal.role)
        if rule is None:
            return None
        now = self.clock.timestamp()
        ip_key, principal_key = limit_keys(
            group, client_ip, principal.subject, principal.role.value
        )
        try:
            verdict = most_restrictive(
                await self.limiter.hit_many(
                    [(ip_key, rule.per_ip), (principal_key, rule.per_principal)], now
                )
            )
        except UpstreamError as exc:
            if not self.fail_open:
                raise
            log.warning("rate limits not enforced: %s", exc.detail or type(exc).__name__)
            return None
        if not verdict.allowed:
            self.metrics.increment(REJECTIONS, tags={"group": group})
        return verdict


@dataclasses.dataclass(frozen=True, slots=True)
class RateLimitStatus:
    """What the caller has left in each route group, without counting anything."""

    limiter: RateLimiter
    clock: Clock
    rules: RateLimitRules

    async def execute(self, principal: Principal, client_ip: str) -> dict[str, RateLimitDecision]:
        now = self.clock.timestamp()
        status: dict[str, RateLimitDecision] = {}
        for group, by_role in self.rules.items():
            rule = by_role.get(principal.role)
            if rule is None:
                continue
            ip_key, principal_key = limit_keys(
                group, client_ip, principal.subject, principal.role.value
            )
            status[group] = most_restrictive(
                [
                    await self.limiter.peek(ip_key, rule.per_ip, now),
                    await self.limiter.peek(principal_key, rule.per_principal, now),
                ]
            )
        return status


@dataclasses.dataclass(frozen=True, slots=True)
class LimitFailedSignIns:
    """Failed authentications counted per client IP: past `policy.limit` in a window, the
    address is refused before any key is looked at, so keys cannot be guessed at speed.
    Each refusal counts one `rate_limit_rejections` of the group `sign_in`.

    When the counters cannot be reached, sign-ins go unlimited (logged), as other limits do
    under `fail_open`.
    """

    limiter: RateLimiter
    clock: Clock
    policy: RateLimitPolicy
    metrics: Metrics

    async def refusal(self, client_ip: str) -> RateLimitDecision | None:
        """The verdict refusing `client_ip` now, or None while it may still try."""
        try:
            decision = await self.limiter.peek(_failed_key(client_ip), self.policy, self._now())
        except UpstreamError as exc:
            log.warning("failed sign-ins not limited: %s", exc.detail or type(exc).__name__)
            return None
        if decision.allowed:
            return None
        self.metrics.increment(REJECTIONS, tags={"group": SIGN_IN_GROUP})
        return decision

    async def failed(self, client_ip: str) -> None:
        """Count one failed authentication from `client_ip`."""
        try:
            await self.limiter.hit(_failed_key(client_ip), self.policy, self._now())
        except UpstreamError as exc:
            log.warning("failed sign-in not counted: %s", exc.detail or type(exc).__name__)

    def _now(self) -> float:
        return self.clock.timestamp()


def _failed_key(client_ip: str) -> str:
    return f"rl:failed_sign_in:ip:{client_ip}"
