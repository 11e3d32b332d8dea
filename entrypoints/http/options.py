"""`Allow` on OPTIONS answers names every method of the path.

Litestar 2 answers OPTIONS with the methods of one handler of the path only (litestar#4169,
fixed in Litestar 3): `OPTIONS /api/v1/docs` said `GET, OPTIONS`, though POST uploads. The
route itself knows all of them.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import Message, Scope


async def complete_allow_header(message: Message, scope: Scope) -> None:
    """`before_send` hook: the path's every method in `Allow`."""
    if (
        scope["type"] != ScopeType.HTTP
        or message["type"] != "http.response.start"
        or scope.get("method") != "OPTIONS"
    ):
        return
    headers = MutableScopeHeaders.from_message(message)
    if "allow" not in headers:
        return
    template = scope.get("path_template")
    methods = next(
        (
            route.methods
            for route in scope["litestar_app"].routes
            if getattr(route, "path_format", None) == template
        ),
        None,
    )
    if methods:
        headers["allow"] = ", ".join(sorted(methods))
