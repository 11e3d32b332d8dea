"""Who is calling: an API key or a JWT bearer token, roles as guards, the client IP."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Awaitable, Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp, Message, Scope

from askdocs.application.authenticate_caller import AuthenticateCaller
from askdocs.application.errors import PermissionDenied
from askdocs.domain.principals import Principal, Role

PUBLIC_PATHS = ("^/health", "^/schema", "^/metrics", "^/$", "^/static/")
_PUBLIC = re.compile("|".join(PUBLIC_PATHS))
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'self'"
    ),
}
"""Headers every response carries: no content sniffing, no referrer, no framing, and only
the service's own scripts, styles and connections for anything a browser renders."""
_API_PATHS = ("/api/", "/v1/")
Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]


def is_public(scope: Scope) -> bool:
    """Whether the request's path is one anybody may call, without a key."""
    return _PUBLIC.match(str(scope["path"])) is not None


class CredentialAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    """Resolves the caller to a Principal from `X-API-Key` (always an API key) or from
    `Authorization: Bearer` (a JWT or an API key), or refuses the request with 401 or 403."""

    def __init__(self, app: ASGIApp, authenticate: AuthenticateCaller) -> None:
        super().__init__(app, exclude=list(PUBLIC_PATHS), scopes=None)
        self._authenticate = authenticate

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        if key := connection.headers.get("x-api-key", "").strip():
            principal = await self._authenticate.execute(api_key=key)
        else:
            scheme, _, token = connection.headers.get("authorization", "").partition(" ")
            bearer = token.strip() if scheme.lower() == "bearer" else ""
            principal = await self._authenticate.execute(bearer=bearer)
        return AuthenticationResult(user=principal, auth=principal.subject)


def requires(role: Role) -> Guard:
    """A guard admitting principals whose role includes `role`."""

    # Async on purpose: Litestar runs a synchronous guard in a worker thread.
    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if connection.scope.get("method") == "OPTIONS":
            # Authentication skips OPTIONS (a browser's preflight carries no key); what an
            # OPTIONS answers (the methods a route allows) is no one's secret.
            return
        principal = connection.user
        if not isinstance(principal, Principal) or not principal.role.allows(role):
            raise PermissionDenied(f"this operation needs the {role.value} role")

    return guard


def client_ip(
    connection: ASGIConnection[Any, Any, Any, Any], trusted_proxies: frozenset[str]
) -> str:
    """The peer address; X-Forwarded-For is believed only when the peer is a trusted proxy.

    Walking the forwarded chain from the right, the first address that is not a trusted proxy
    is the client: entries further left could have been written by the client itself.
    """
    peer = connection.client.host if connection.client else "unknown"
    if peer not in trusted_proxies:
        return peer
    # Every X-Forwarded-For line, in order: a proxy may append its own line rather than
    # extend the client's, and the client's line must not be the only one read.
    lines = connection.headers.getall("x-forwarded-for", [])
    forwarded = [a.strip() for a in ",".join(lines).split(",")]
    for address in reversed([a for a in forwarded if _is_ip(a)]):
        if address not in trusted_proxies:
            return address
    return peer


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


async def add_security_headers(message: Message, scope: Scope) -> None:
    """`before_send` hook: the SECURITY_HEADERS on every response, and `Cache-Control:
    no-store` on the API's (answers and documents are the caller's, not a shared cache's)."""
    if scope["type"] != ScopeType.HTTP or message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in SECURITY_HEADERS.items():
        if name not in headers:  # a route may be stricter (a stored original is sandboxed)
            headers[name] = value
    if str(scope.get("path", "")).startswith(_API_PATHS):
        headers["cache-control"] = "no-store"
