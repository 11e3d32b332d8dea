"""`Allow` on OPTIONS answers and 405s names every method of the path.

Litestar 2 answers OPTIONS with the methods of one handler of the path only (litestar#4169,
fixed in Litestar 3): `OPTIONS /api/v1/docs` said `GET, OPTIONS`, though POST uploads. The
route itself knows all of them.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import Message, Scope


async def complete_allow_header(message: Message, scope: Scope) -> None:
    """`before_send` hook: the path's every method in `Allow` (on OPTIONS answers and 405s),
    HEAD among them wherever GET is (head_requests.py answers it)."""
    if scope["type"] != ScopeType.HTTP or message["type"] != "http.response.start":
        return
    if scope.get("method") != "OPTIONS" and message["status"] != 405:
        return
    headers = MutableScopeHeaders.from_message(message)
    if "allow" not in headers:
        return
    template = scope.get("path_template")
    routed = next(
        (
            route.methods
            for route in scope["litestar_app"].routes
            if getattr(route, "path_format", None) == template
        ),
        None,
    )
    methods = {str(m) for m in routed} if routed else set(headers["allow"].split(", "))
    if "GET" in methods:
        methods.add("HEAD")
    headers["allow"] = ", ".join(sorted(methods))
