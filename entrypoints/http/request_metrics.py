"""`http_requests` and `http_request_duration_seconds` for every response, errors included.

Labels are the route template Litestar matched (`/api/v1/docs/{document_id}`), never the
path itself, so ids make no series; a path no route matches (a 404, or a 405 for a method
the route lacks) is `unmatched`. A response is recorded when its body ends, so a streamed
answer is timed to its last event; one the client abandoned midway is recorded when its
handler returns, with the status that had gone out.
"""

from __future__ import annotations

import time
from typing import Any

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from askdocs.application.ports import Metrics
from askdocs.entrypoints.http.head_requests import requested_method

UNMATCHED = "unmatched"
"""The route of a request no route template matched."""
OTHER_METHOD = "other"
"""The method label of a method HTTP does not define: a client cannot make series up."""
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_STATUS = "response_status"
_RECORDED = "response_recorded"


class RequestMetrics:
    """Records each response once; `before_send` is the app's hook, `middleware` sees the
    handlers that end without finishing their body."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics
        self.middleware = _AbandonedResponses(self)

    async def before_send(self, message: Message, scope: Scope) -> None:
        """`before_send` hook (async: Litestar runs a synchronous one in a thread)."""
        if scope["type"] != ScopeType.HTTP:
            return
        if message["type"] == "http.response.start":
            _state(scope)[_STATUS] = message["status"]
        elif message["type"] == "http.response.body" and not message.get("more_body", False):
            self.ended(scope)

    def ended(self, scope: Scope) -> None:
        """Record the response, once, if one has started."""
        state = _state(scope)
        status = state.get(_STATUS)
        if status is None or state.get(_RECORDED):
            return
        state[_RECORDED] = True
        method = requested_method(scope)
        tags = {
            "route": route_of(scope),
            "method": method if method in _METHODS else OTHER_METHOD,
            "status": str(status),
        }
        # `started` is stamped once the request is routed (request_context): an unmatched
        # one is timed from its response.
        seconds = time.perf_counter() - state.get("started", time.perf_counter())
        self._metrics.increment("http_requests", tags=tags)
        self._metrics.observe("http_request_duration_seconds", seconds, tags=tags)


def route_of(scope: Scope) -> str:
    """The template of the route that matched, else `unmatched`."""
    return str(scope.get("path_template") or UNMATCHED)


class _AbandonedResponses(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def __init__(self, recorder: RequestMetrics) -> None:
        self._recorder = recorder

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        try:
            await next_app(scope, receive, send)
        finally:
            # A raised error has no response yet (the exception handler sends it, and the
            # hook records it); a stream cut off by its client has one that never ended.
            self._recorder.ended(scope)


def _state(scope: Scope) -> dict[str, Any]:
    state: dict[str, Any] = scope.setdefault("state", {})
    return state
