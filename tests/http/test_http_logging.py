"""Log lines of real requests: JSON, a request id on each access line, no secret anywhere."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator

import httpx
from dependency_injector import providers

from askdocs.entrypoints.http import errors, request_context
from askdocs.entrypoints.http.app import create_app_from_environment
from askdocs.entrypoints.logging import configure_logging
from tests.support.logging_setup import logging_restored

QUESTION = "I am alice.smith@example.com and my password=hunter2; where are bicycles stored?"
SECRET_DSN = "postgres://askdocs:s3cret-dsn@db.internal/askdocs"


class EchoingChatModel:
    """A chat model whose failure message repeats the question, as SDK errors often do."""

    name = "echoing"

    async def complete(self, request):
        raise RuntimeError(f"upstream rejected prompt {request.question!r}")


class LeakyRepository:
    """A repository whose failure message holds a connection string with a password."""

    async def list(self, query):
        raise RuntimeError(f"cannot connect to {SECRET_DSN}")


@contextlib.contextmanager
def json_logging() -> Iterator[None]:
    """configure_logging(json="true") for the body, then the logging set-up from before."""
    try:
        with logging_restored():
            configure_logging(json="true")
            yield
    finally:
        # Module-level loggers cached the JSON pipeline on first use; forget it.
        for proxy in (request_context.access_log, errors.log):
            vars(proxy).pop("bind", None)


async def test_log_lines_are_json_with_request_ids_and_hold_no_secrets(
    start_api, handbook, keys, capsys
):
    def echo_failures(container):
        container.chat_model.override(providers.Object(EchoingChatModel()))

    def leak_on_list(container):
        container.documents.override(providers.Object(LeakyRepository()))

    api = await start_api()
    # The question is mostly secrets no document holds: without the coverage gate, so that it
    # reaches the failing model.
    failing = await start_api(prepare=echo_failures, settings={"ASKDOCS_INDEX__MIN_COVERAGE": "0"})
    broken = await start_api(prepare=leak_on_list)
    await failing.upload_ok(handbook.name, handbook.pdf)
    capsys.readouterr()

    with json_logging():
        answered = await api.chat(QUESTION, headers={"X-Request-ID": "log-1"})
        bearer = await api.client.post(
            "/api/v1/chat",
            json={"question": QUESTION},
            headers={"Authorization": f"Bearer {keys['reader']}", "X-Request-ID": "log-2"},
        )
        degraded = await failing.chat(QUESTION, headers={"X-Request-ID": "log-3"})
        refused = await api.client.get(
            "/api/v1/docs", headers={"X-API-Key": "askd_wrong-but-secret-token-value"}
        )
        crashed = await broken.client.get("/api/v1/docs", headers=broken.auth("reader"))
        logged = capsys.readouterr().err

    assert [r.status_code for r in (answered, bearer, degraded, refused, crashed)] == [
        200,
        200,
        200,
        401,
        500,
    ]
    assert degraded.json()["degraded"] is True
    lines = [json.loads(line) for line in logged.splitlines() if line.strip()]
    access = [line for line in lines if line["event"] == "request"]
    assert [line["request_id"] for line in access[:3]] == ["log-1", "log-2", "log-3"]
    assert all(line["request_id"] for line in access)
    assert [line["status"] for line in access] == [200, 200, 200, 401, 500]
    assert {r.headers["X-Request-ID"] for r in (refused, crashed)} == {
        line["request_id"] for line in access[3:]
    }
    chat_failed = next(line for line in lines if line["event"] == "chat_failed")
    assert chat_failed["request_id"] == "log-3"
    assert "RuntimeError" in chat_failed["error"]
    assert "***" in chat_failed["error"]
    unhandled = next(line for line in lines if line["event"] == "unhandled_error")
    assert "RuntimeError" in unhandled["error"]
    for secret in (
        keys["reader"],
        "askd_wrong-but-secret-token-value",
        "alice.smith",
        "example.com",
        "hunter2",
        "s3cret-dsn",
    ):
        assert secret not in logged
    assert "Traceback" not in logged


async def test_the_app_built_from_the_environment_serves_and_warns_that_memory_is_volatile(
    environment, keys, monkeypatch, capsys
):
    for name, value in {**environment, "ASKDOCS_LOG__JSON": "true"}.items():
        monkeypatch.setenv(name, value)

    with json_logging():
        app = create_app_from_environment()
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client:
            live = await client.get("/health/live")
            docs = await client.get("/api/v1/docs", headers={"X-API-Key": keys["editor"]})
        logged = capsys.readouterr().err

    assert live.status_code == 200
    assert docs.status_code == 200
    ready = next(json.loads(line) for line in logged.splitlines() if "askdocs_configured" in line)
    assert ready["documents"] == "memory"
    assert "vanish" in ready["note"]


async def test_a_head_request_is_logged_as_the_head_it_was(start_api, capsys):
    api = await start_api()
    capsys.readouterr()

    with json_logging():
        await api.client.head("/health/live", headers={"X-Request-ID": "head-1"})
        logged = capsys.readouterr().err

    access = [json.loads(line) for line in logged.splitlines() if '"request"' in line]
    assert [(line["method"], line["request_id"]) for line in access] == [("HEAD", "head-1")]
