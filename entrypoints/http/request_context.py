"""A request id on every request, response and log line, and one access line per response."""

from __future__ import annotations

import re
import time
import uuid

import structlog
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from askdocs.domain.principals import Principal
from askdocs.entrypoints.http.head_requests import requested_method

REQUEST_ID_HEADER = "x-request-id"
_ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._\-]{1,128}$")
access_log = structlog.get_logger("askdocs.access")


def request_id_of(scope: Scope) -> str:
    """The request's id, assigned on first use: the client's if well-formed, else a new one."""
    state = scope.setdefault("state", {})
    if "request_id" not in state:
        offered = next(
            (v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"x-request-id"), ""
        )
        state["request_id"] = offered if _ACCEPTABLE_ID.match(offered) else uuid.uuid4().hex
        state["started"] = time.perf_counter()
    return str(state["request_id"])


class RequestContextMiddleware(ASGIMiddleware):
    """Binds the request id to the logging context for everything the request does."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id_of(scope))
        await next_app(scope, receive, send)


async def stamp_response(message: Message, scope: Scope) -> None:
    """`before_send` hook: sees every response, errors included, so every one gets the id."""
    if scope["type"] != ScopeType.HTTP or message["type"] != "http.response.start":
        return
    request_id = request_id_of(scope)
    MutableScopeHeaders.from_message(message)[REQUEST_ID_HEADER] = request_id
    started = scope.get("state", {}).get("started", time.perf_counter())
    user = scope.get("user")
    access_log.info(
        "request",
        request_id=request_id,
        principal=user.subject if isinstance(user, Principal) else None,
        method=requested_method(scope),
        path=scope.get("path"),
        status=message["status"],
        duration_ms=round((time.perf_counter() - started) * 1000, 2),
    )
