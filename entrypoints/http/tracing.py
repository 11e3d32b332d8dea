"""A server span per request, continuing the caller's trace, and `Server-Timing` on answers.

The span is named by the method and the route template (`POST /api/v1/chat`,
`GET /api/v1/docs/{document_id}`), so one route's requests group together whatever their
ids; it carries OpenTelemetry's HTTP attributes and fails with a 5xx status. A valid W3C
`traceparent` from the caller makes the request part of the caller's trace. Its trace id is
in the scope's state for the handlers (`trace_id_of`): the `trace_id` of chat answers.
"""

from __future__ import annotations

import structlog
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from askdocs.application.ports.tracing import Span, Tracer
from askdocs.entrypoints.http.errors import status_of
from askdocs.entrypoints.http.head_requests import requested_method
from askdocs.entrypoints.tracing_context import PhaseTimings, timing_phases

SERVER_TIMING_OPT = "server_timing"
"""A route with `opt={SERVER_TIMING_OPT: True}` answers with a `Server-Timing` header."""
_TRACE_ID = "trace_id"


def trace_id_of(scope: Scope) -> str:
    """The trace id of the request's span (set by TracingMiddleware before any handler)."""
    return str(scope.get("state", {}).get(_TRACE_ID, ""))


def _header(scope: Scope, name: bytes) -> str | None:
    return next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == name), None)


class TracingMiddleware(ASGIMiddleware):
    """Opens the request's span around everything the request does (rate limiting and
    authentication included) and collects its phase timings."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, tracer: Tracer) -> None:
        self._tracer = tracer

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        method = str(requested_method(scope))
        route = scope.get("path_template") or scope.get("path", "")
        attributes = {
            "http.request.method": method,
            "http.route": route,
            "url.path": scope.get("path", ""),
            "url.scheme": scope.get("scheme", "http"),
            "network.protocol.version": scope.get("http_version", "1.1"),
        }
        if agent := _header(scope, b"user-agent"):
            attributes["user_agent.original"] = agent
        timed = bool(scope["route_handler"].opt.get(SERVER_TIMING_OPT))
        escaped: Exception | None = None
        with (
            timing_phases() as timings,
            self._tracer.span(
                f"{method} {route}",
                attributes=attributes,
                parent=_header(scope, b"traceparent"),
                kind="server",
            ) as span,
        ):
            scope.setdefault("state", {})[_TRACE_ID] = span.trace_id
            # Also for the lines written after the span, by the handler of a refusal raised
            # in middleware (the request's context is cleared for the next request).
            structlog.contextvars.bind_contextvars(trace_id=span.trace_id)

            async def send_traced(message: Message) -> None:
                if message["type"] == "http.response.start":
                    _record_status(span, int(message["status"]))
                    if timed:
                        _add_server_timing(message, timings)
                await send(message)

            try:
                await next_app(scope, receive, send_traced)
            except Exception as exc:  # noqa: BLE001 - raised again below, once the span ended
                # Refusals raised by middleware (401, 429) are answered outside this span, by
                # the exception handler: their status is known from the error, and a 4xx is
                # the caller's failure, not the span's.
                escaped = exc
                status = status_of(exc)
                _record_status(span, status)
                if status >= 500:
                    span.record_error(exc)
        if escaped is not None:
            raise escaped


def _record_status(span: Span, status: int) -> None:
    span.set_attributes({"http.response.status_code": status})
    if status >= 500:
        span.set_attributes({"error.type": str(status)})
        span.fail(f"HTTP {status}")


def _add_server_timing(message: Message, timings: PhaseTimings) -> None:
    """The phases done by the time the response starts: all of them for a whole answer;
    for a stream, those before its first event (rate limit, cache, retrieval)."""
    MutableScopeHeaders.from_message(message)["Server-Timing"] = timings.header()
