"""The chat page: `GET /` and its static files under `/static`, from the package."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from litestar import Router, get
from litestar.response import File
from litestar.static_files import create_static_files_router

from askdocs.entrypoints.http.openapi import public

WEB = Path(str(resources.files("askdocs.entrypoints.web")))


@get("/", media_type="text/html", **public())
async def page() -> File:
    """The chat page (public: it holds no data; the key is asked for in the page)."""
    return File(WEB / "index.html", media_type="text/html",
                content_disposition_type="inline")  # fmt: skip


def static_files() -> Router:
    """The page's script and style sheet (`web/static`), and nothing else of the package."""
    return create_static_files_router(
        path="/static", directories=[WEB / "static"], include_in_schema=False
    )
