"""The real Litestar app over a real container, driven in process through httpx's ASGI transport.

`start_api` builds a fresh container and app per call (settings as environment variables), so
every test owns its documents, caches and rate-limit counters.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import httpx
import pytest

from askdocs.application.api_keys import new_token
from askdocs.domain.principals import token_digest
from askdocs.entrypoints.container import Container, build_container
from askdocs.entrypoints.http.app import create_app
from askdocs.entrypoints.http.lifecycle import runs_worker, shutdown_hooks
from askdocs.entrypoints.settings import load_settings
from tests.support.pdf import make_pdf

UPLOAD_LIMIT = 200_000
PROBLEM_JSON = "application/problem+json"

HANDBOOK_PAGES = [
    "The cafeteria opens at seven in the morning on weekdays.",
    "Parking permits cost forty euros per month for every employee.",
    "The library closes at midnight on Fridays during the exam season.",
    "Bicycles must be stored in the basement racks near the east stairs.",
]


@dataclasses.dataclass(frozen=True)
class Handbook:
    """A PDF with one distinct fact per page, and those facts (`pages[0]` is page 1)."""

    name: str
    pdf: bytes
    pages: tuple[str, ...]


class Api:
    """An httpx client on the app, with the keys of four principals and a few shortcuts."""

    def __init__(self, client: httpx.AsyncClient, keys: Mapping[str, str], container: Container):
        self.client = client
        self.keys = keys
        self.container = container

    def auth(self, role: str) -> dict[str, str]:
        """Headers presenting the key of `role` (reader, other_reader, editor, admin)."""
        return {"X-API-Key": self.keys[role]}

    async def upload(
        self,
        name: str,
        data: bytes,
        *,
        tags: str | None = None,
        role: str = "editor",
        document_id: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """POST a multipart upload, or PUT a new version when `document_id` is given."""
        files = {"file": (name, data, "application/octet-stream")}
        form = {"tags": tags} if tags is not None else None
        all_headers = {**self.auth(role), **(headers or {})}
        if document_id is None:
            return await self.client.post(
                "/api/v1/docs", files=files, data=form, headers=all_headers
            )
        return await self.client.put(
            f"/api/v1/docs/{document_id}", files=files, data=form, headers=all_headers
        )

    async def upload_ok(self, name: str, data: bytes, **kwargs: Any) -> dict[str, Any]:
        """Upload, wait for the worker to settle the version, and return the upload's body
        with the settled status; fails the test unless the upload was accepted."""
        response = await self.upload(name, data, **kwargs)
        assert response.status_code in (200, 202), response.text
        body: dict[str, Any] = response.json()
        settled = await self.settled(body["status_url"])
        return {**body, "status": settled["status"], "settled": settled}

    async def settled(self, status_url: str, *, timeout_s: float = 30.0) -> dict[str, Any]:
        """Poll a version until it is ready or failed; its last state."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            response = await self.client.get(status_url, headers=self.auth("reader"))
            assert response.status_code == 200, response.text
            version: dict[str, Any] = response.json()
            if version["status"] in ("ready", "failed"):
                return version
            assert asyncio.get_running_loop().time() < deadline, f"not settled: {version}"
            await asyncio.sleep(0.02)

    async def chat(
        self,
        question: str,
        *,
        role: str = "reader",
        headers: Mapping[str, str] | None = None,
        **body: Any,
    ) -> httpx.Response:
        return await self.client.post(
            "/api/v1/chat",
            json={"question": question, **body},
            headers={**self.auth(role), **(headers or {})},
        )

    async def ask(self, question: str, **kwargs: Any) -> dict[str, Any]:
        """Chat and return the reply, failing the test unless it was a 200."""
        response = await self.chat(question, **kwargs)
        assert response.status_code == 200, response.text
        reply: dict[str, Any] = response.json()
        return reply


StartApi = Callable[..., Awaitable[Api]]


async def close_backends(container: Container) -> None:
    """What the app's shutdown hooks would do (they do not run without a lifespan here)."""
    for hook in shutdown_hooks(container):
        await hook()


@pytest.fixture(scope="session")
def keys() -> dict[str, str]:
    """A fresh token per principal; the app knows only their digests."""
    return {
        "reader": new_token(),
        "other_reader": new_token(),
        "editor": new_token(),
        "admin": new_token(),
    }


@pytest.fixture
def environment(tmp_path: Any, keys: Mapping[str, str]) -> dict[str, str]:
    """The settings every in-process app starts from, as ASKDOCS_* variables."""
    roles = {"reader": "reader", "other_reader": "reader", "editor": "editor", "admin": "admin"}
    entries = ",".join(f"{token_digest(keys[name])}:{role}" for name, role in roles.items())
    return {
        "ASKDOCS_DOCUMENTS__BLOB_DIR": str(tmp_path / "blobs"),
        "ASKDOCS_DOCUMENTS__MAX_UPLOAD_BYTES": str(UPLOAD_LIMIT),
        "ASKDOCS_AUTH__API_KEYS": entries,
        "ASKDOCS_METRICS__BACKEND": "prometheus",
    }


@pytest.fixture
async def start_api(
    environment: Mapping[str, str], keys: Mapping[str, str]
) -> AsyncIterator[StartApi]:
    """A factory of apps: extra settings, a hook on the container before the app is built,
    and the peer address the ASGI transport reports."""
    async with contextlib.AsyncExitStack() as stack:

        async def start(
            settings: Mapping[str, str] | None = None,
            *,
            prepare: Callable[[Container], None] | None = None,
            client_address: tuple[str, int] = ("127.0.0.1", 123),
        ) -> Api:
            container = build_container(load_settings({**environment, **(settings or {})}))
            stack.push_async_callback(close_backends, container)
            if prepare is not None:
                prepare(container)
            app = create_app(container)
            if runs_worker(container):
                container.ingestion_worker().start()
            # The app's startup hooks do not run here (so the worker is started by hand):
            # `app.lifespan()` cannot be used, as its anyio task group must exit in the task
            # that entered it, and pytest-asyncio tears fixtures down in another task.
            transport = httpx.ASGITransport(app=app, client=client_address)
            client = await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url="http://testserver")
            )
            return Api(client, keys, container)

        yield start


@pytest.fixture
async def api(start_api: StartApi) -> Api:
    """The app with the default test settings."""
    return await start_api()


@pytest.fixture(scope="session")
def handbook() -> Handbook:
    """A four-page PDF with one distinct fact per page."""
    return Handbook("handbook.pdf", make_pdf(HANDBOOK_PAGES), tuple(HANDBOOK_PAGES))


@pytest.fixture
def problem() -> Callable[[httpx.Response, int], dict[str, Any]]:
    """A check that a response is an RFC 9457 problem with `status`; returns its body."""

    def check(response: httpx.Response, status: int) -> dict[str, Any]:
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith(PROBLEM_JSON)
        body: dict[str, Any] = response.json()
        assert body["status"] == status
        assert body["type"].startswith("urn:askdocs:problem:")
        for field in ("title", "detail"):
            assert isinstance(body[field], str)
            assert body[field].strip()
        assert "Traceback" not in response.text
        return body

    return check


@pytest.fixture
def openai_error() -> Callable[[httpx.Response, int], dict[str, Any]]:
    """A check that a response is an error in OpenAI's shape with `status` (what the
    OpenAI-compatible routes answer); returns its `error` object."""

    def check(response: httpx.Response, status: int) -> dict[str, Any]:
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/json")
        error: dict[str, Any] = response.json()["error"]
        assert set(error) == {"message", "type", "code", "param"}
        assert isinstance(error["message"], str)
        assert error["message"].strip()
        assert isinstance(error["type"], str)
        assert "Traceback" not in response.text
        return error

    return check


@pytest.fixture
def api_error(
    problem: Callable[[httpx.Response, int], dict[str, Any]],
    openai_error: Callable[[httpx.Response, int], dict[str, Any]],
) -> Callable[[httpx.Response, int], str]:
    """The error check for the route a response came from (OpenAI's shape under /v1, a
    problem elsewhere); returns the error's text (its `message` or `detail`)."""

    def check(response: httpx.Response, status: int) -> str:
        if response.request.url.path.startswith("/v1/"):
            return str(openai_error(response, status)["message"])
        return str(problem(response, status)["detail"])

    return check
