"""Counts limited route groups per client IP and principal; RateLimit-* headers on the answer.

A route joins a group through its `opt={"rate_limit": GROUP}`. The verdict's headers are put
in the scope state and written by the `before_send` hook, so refusals (raised as exceptions and
answered by the exception handler) carry them as well as successes.
"""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from askdocs.application.errors import RateLimitExceeded, Unauthenticated
from askdocs.application.ports.tracing import Tracer
from askdocs.application.rate_limits import EnforceRateLimit, LimitFailedSignIns
from askdocs.domain.principals import Principal
from askdocs.domain.rate_limits import RateLimitDecision
from askdocs.entrypoints.http.security import client_ip, is_public

OPT_KEY = "rate_limit"
_STATE_KEY = "rate_limit_headers"


def rate_limit_headers(decision: RateLimitDecision) -> dict[str, str]:
    """The headers describing a verdict (IETF RateLimit fields, plus Retry-After on refusal)."""
    headers = {
        "RateLimit-Limit": str(decision.limit),
        "RateLimit-Remaining": str(decision.remaining),
        "RateLimit-Reset": str(decision.reset_after_s),
    }
    if not decision.allowed:
        headers["Retry-After"] = str(decision.retry_after_s)
    return headers


class RateLimitMiddleware(ASGIMiddleware):
    """Refuses requests over a limit with 429 before the handler runs."""

    scopes = (ScopeType.HTTP,)

    def __init__(
        self, enforce: EnforceRateLimit, trusted_proxies: frozenset[str], tracer: Tracer
    ) -> None:
        self._enforce = enforce
        self._trusted = trusted_proxies
        self._tracer = tracer

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        group = scope["route_handler"].opt.get(OPT_KEY)
        principal = scope.get("user")
        if group and isinstance(principal, Principal):
            ip = client_ip(ASGIConnection(scope), self._trusted)
            with self._tracer.span("rate_limit", attributes={"askdocs.rate_limit.group": group}):
                decision = await self._enforce.execute(group, principal, ip)
            if decision is not None:
                scope.setdefault("state", {})[_STATE_KEY] = rate_limit_headers(decision)
                if not decision.allowed:
                    raise RateLimitExceeded(
                        f"rate limit of {decision.limit} requests reached; retry in "
                        f"{decision.retry_after_s} s",
                        retry_after_s=decision.retry_after_s,
                    )
        await next_app(scope, receive, send)


class FailedSignInLimitMiddleware(ASGIMiddleware):
    """Counts failed authentications per client IP (it sits outside authentication, which
    raises them) and refuses an address over the limit before its key is checked."""

    scopes = (ScopeType.HTTP,)
    should_bypass_for_scope = staticmethod(is_public)

    def __init__(self, limit: LimitFailedSignIns, trusted_proxies: frozenset[str]) -> None:
        self._limit = limit
        self._trusted = trusted_proxies

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        ip = client_ip(ASGIConnection(scope), self._trusted)
        refusal = await self._limit.refusal(ip)
        if refusal is not None:
            scope.setdefault("state", {})[_STATE_KEY] = rate_limit_headers(refusal)
            raise RateLimitExceeded(
                f"too many failed sign-ins from this address; retry in {refusal.retry_after_s} s",
                retry_after_s=refusal.retry_after_s,
            )
        try:
            await next_app(scope, receive, send)
        except Unauthenticated:
            await self._limit.failed(ip)
            raise


async def add_rate_limit_headers(message: Message, scope: Scope) -> None:
    """`before_send` hook writing the headers a limited route's verdict left in the scope.

    Async on purpose: Litestar runs a synchronous hook in a worker thread, twice a response.
    """
    if message["type"] != "http.response.start":
        return
    headers = scope.get("state", {}).get(_STATE_KEY)
    if headers:
        target = MutableScopeHeaders.from_message(message)
        for name, value in headers.items():
            target[name] = value
