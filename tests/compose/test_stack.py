"""compose.yaml brought up in one command: migrations applied on start, the server answering
from what the worker service ingested, health checks passing, and documents and keys kept in
their volumes across `down` and `up`."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.compose.conftest import Stack, podman
from tests.e2e.conftest import settle
from tests.support.pdf import make_pdf

pytestmark = pytest.mark.e2e

PAGES = [
    "The observatory opens at nine in the morning.",
    "Parking permits cost forty euros per month and are sold at the front desk.",
]
QUESTION = "How much do parking permits cost?"


def ask(stack: Stack, key: str) -> dict:
    with httpx.Client(base_url=stack.url, headers={"X-API-Key": key}, timeout=60) as client:
        reply = client.post("/api/v1/chat", json={"question": QUESTION})
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


@pytest.fixture(scope="module")
def admin_key(stack: Stack) -> str:
    return stack.admin_key()


def test_migrations_were_applied_on_start_by_the_migrate_service(stack: Stack) -> None:
    assert stack.inspect("migrate", "{{.State.ExitCode}}") == "0"
    assert "migration(s) applied" in stack.logs("migrate")
    ready = httpx.get(f"{stack.url}/health/ready", timeout=10).json()
    assert ready["checks"] == {"database": "ok", "redis": "ok"}


def test_every_service_is_healthy(stack: Stack) -> None:
    unhealthy = [s for s in ("postgres", "redis", "server", "worker") if not stack.healthy(s)]

    assert unhealthy == []


def test_only_the_server_is_published_and_askdocs_runs_read_only(stack: Stack) -> None:
    for service in ("postgres", "redis", "worker"):
        assert podman("port", stack.container(service)).stdout.strip() == "", service
    for service in ("server", "worker"):
        assert stack.inspect(service, "{{.HostConfig.ReadonlyRootfs}}") == "true"
        assert stack.inspect(service, "{{.Config.User}}") == "10001:10001"


def test_the_first_start_printed_an_admin_key_that_works(stack: Stack) -> None:
    printed = re.search(r"^admin API key: (\S+)$", stack.logs("server"), re.M)
    assert printed, stack.logs("server")

    keys = httpx.get(
        f"{stack.url}/api/v1/keys", headers={"X-API-Key": printed.group(1)}, timeout=30
    )

    assert keys.status_code == 200, keys.text


def test_a_document_is_ingested_by_the_worker_service_and_answered(
    stack: Stack, admin_key: str
) -> None:
    with httpx.Client(base_url=stack.url, headers={"X-API-Key": admin_key}, timeout=60) as client:
        accepted = client.post(
            "/api/v1/docs", files={"file": ("guide.pdf", make_pdf(PAGES))}, data={"tags": "t"}
        )
        assert accepted.status_code == 202, accepted.text
        # The server runs no worker of its own here (ASKDOCS_WORKER__IN_SERVE=false).
        assert settle(client, accepted.json()["status_url"], timeout_s=120)["status"] == "ready"

    reply = ask(stack, admin_key)

    assert "forty euros" in reply["answer"]
    assert reply["sources"][0]["document"] == "guide.pdf"
    assert "worker_started" in stack.logs("worker")
    assert "worker_started" not in stack.logs("server")


def test_documents_and_keys_outlive_down_and_up(stack: Stack, admin_key: str) -> None:
    before = ask(stack, admin_key)

    stopped = stack.compose("down", "-t", "10")
    assert stopped.returncode == 0, stopped.stderr
    stack.up()

    with httpx.Client(base_url=stack.url, headers={"X-API-Key": admin_key}, timeout=60) as client:
        listed = client.get("/api/v1/docs")
    after = ask(stack, admin_key)

    assert listed.status_code == 200, listed.text  # the key, kept in PostgreSQL, still works
    assert [d["name"] for d in listed.json()["items"]] == ["guide.pdf"]
    assert after["answer"] == before["answer"]
    assert "schema is up to date" in stack.logs("migrate")
