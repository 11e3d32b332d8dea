"""HEAD answered wherever GET is (RFC 9110 §9.3.2): the GET handler runs, its status and
headers go out, its body does not.

Litestar 2 routes HEAD only to handlers declared for it, so `HEAD /health/live` was a 405. A
HEAD handler beside every GET one would double the routes and their declarations; instead the
application takes a HEAD request for a GET before routing, the one place every request passes
first, and drops the body on the way out.
"""

from __future__ import annotations

from typing import Any, cast

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.types import (
    HTTPScope,
    LifeSpanReceive,
    LifeSpanScope,
    LifeSpanSend,
    Message,
    Receive,
    Scope,
    Send,
)

REQUESTED_METHOD = "requested_method"
"""Key of the scope's state holding the method the client sent, where it was not the one
routed (HEAD routed as GET): the access log reports the one sent."""


class HeadAnsweringLitestar(Litestar):
    """Litestar, answering HEAD for every route that answers GET."""

    async def __call__(
        self,
        scope: Scope | LifeSpanScope,
        receive: Receive | LifeSpanReceive,
        send: Send | LifeSpanSend,
    ) -> None:
        http = cast(HTTPScope, scope)
        if scope["type"] == ScopeType.HTTP and http["method"] == "HEAD":
            state: dict[str, Any] = {**http.get("state", {}), REQUESTED_METHOD: "HEAD"}
            as_get = cast(Scope, {**http, "method": "GET", "state": state})
            await super().__call__(as_get, receive, _without_body(cast(Send, send)))
            return
        await super().__call__(scope, receive, send)


def requested_method(scope: Scope) -> Any:
    """The method the client sent."""
    return scope.get("state", {}).get(REQUESTED_METHOD) or scope.get("method")


def _without_body(send: Send) -> Send:
    """`send`, passing the response's start (status, headers, Content-Length as for GET) and
    one empty last body message in place of the body."""

    async def send_head(message: Message) -> None:
        if message["type"] != "http.response.body":
            await send(message)
        elif not message.get("more_body", False):
            await send({"type": "http.response.body", "body": b"", "more_body": False})

    return send_head
