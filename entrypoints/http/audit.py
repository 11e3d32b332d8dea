"""The audit trail of authenticated writes, taken where every answer passes: `before_send`.

Which requests are writes, and their action names, is one table here, by method and route,
so a new write route is audited by adding its line.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import Message, Scope

from askdocs.application.audit import RecordWrite, WriteSeen
from askdocs.domain.principals import Principal
from askdocs.entrypoints.http.request_context import request_id_of
from askdocs.entrypoints.http.security import client_ip

_DOCUMENT = "/api/v1/docs/{document_id}"
_VERSION = _DOCUMENT + "/versions/{version}"
AUDITED_WRITES: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/docs"): "document.upload",
    ("PUT", _DOCUMENT): "document.new_version",
    ("PATCH", _DOCUMENT): "document.change",
    ("DELETE", _DOCUMENT): "document.delete",
    ("POST", _DOCUMENT + "/restore"): "document.restore",
    ("POST", _VERSION + "/retry"): "version.retry",
    ("DELETE", _VERSION): "version.delete",
    ("POST", "/api/v1/keys"): "key.create",
    ("DELETE", "/api/v1/keys/{key_id}"): "key.revoke",
    ("POST", "/api/v1/feedback"): "feedback.give",
    ("DELETE", "/api/v1/chat/sessions/{session_id}"): "conversation.reset",
}
"""(method, route) -> action."""

BeforeSend = Callable[[Message, Scope], Awaitable[None]]


def audit_writes(record: RecordWrite, trusted_proxies: frozenset[str]) -> BeforeSend:
    """A `before_send` hook recording every answered write of an authenticated caller, the
    refused ones too (403, 409, 422, 429): a refusal is part of the trail."""

    async def audit(message: Message, scope: Scope) -> None:
        if scope["type"] != ScopeType.HTTP or message["type"] != "http.response.start":
            return
        action = AUDITED_WRITES.get((scope["method"], str(scope.get("path_template", ""))))
        principal = scope.get("user")
        if action is None or not isinstance(principal, Principal):
            return
        # What was made is named by Location (an upload's status URL); else the path.
        target = MutableScopeHeaders.from_message(message).get("location") or scope["path"]
        await record.execute(
            WriteSeen(
                principal=principal,
                action=action,
                target=target,
                client_ip=client_ip(ASGIConnection(scope), trusted_proxies),
                status=message["status"],
                request_id=request_id_of(scope),
            )
        )

    return audit
