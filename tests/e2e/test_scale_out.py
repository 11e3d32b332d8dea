"""Two `askdocs serve` processes sharing one PostgreSQL schema and one Redis (DESIGN §7).

Limits, cache invalidation and conversation memory must hold across processes, not per
process. Each client connects from a loopback address of its own (127.0.0.0/8 is all local),
so the per-IP chat counters of one test never leak into another's.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from askdocs.application.api_keys import new_token
from askdocs.domain.principals import token_digest
from tests.e2e.conftest import Server, migrated_schema_url, run_server, run_worker, settle
from tests.support.pdf import make_pdf
from tests.support.redis import redis_url
from tests.support.redis import unavailable as redis_unavailable

pytestmark = pytest.mark.e2e

READER_CHAT_LIMIT = 6
WINDOW_S = 3600
ROLES = ("editor", "reader", "memory_owner", "stranger")
INVALIDATION_BUDGET_S = 1.0
POLL_EVERY_S = 0.05


@dataclasses.dataclass
class Cluster:
    a: Server
    b: Server
    keys: dict[str, str]
    """name -> token; the name's role is the name itself, or reader."""


def _client(server: Server, token: str, source_ip: str) -> httpx.Client:
    return httpx.Client(
        base_url=server.url,
        headers={"X-API-Key": token},
        transport=httpx.HTTPTransport(local_address=source_ip),
        timeout=30,
    )


@contextlib.contextmanager
def _redis_prefix() -> Iterator[str]:
    """A prefix no one else uses on the shared Redis; its keys are deleted afterwards."""
    client = redis.Redis.from_url(redis_url(), socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        redis_unavailable(f"cannot reach the server: {exc}")
    prefix = f"t{uuid.uuid4().hex}"
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    tokens = {name: new_token() for name in ROLES}
    roles = {name: "editor" if name == "editor" else "reader" for name in ROLES}
    api_keys = ",".join(f"{token_digest(tokens[n])}:{roles[n]}" for n in ROLES)
    with contextlib.ExitStack() as stack:
        database_url = stack.enter_context(migrated_schema_url())
        prefix = stack.enter_context(_redis_prefix())
        settings = {
            "ASKDOCS_DATABASE__URL": database_url,
            "ASKDOCS_DATABASE__POOL_MAX_SIZE": "4",
            "ASKDOCS_REDIS__URL": redis_url(),
            "ASKDOCS_REDIS__PREFIX": prefix,
            "ASKDOCS_AUTH__API_KEYS": api_keys,
            "ASKDOCS_RATE_LIMIT__READER__CHAT_PER_WINDOW": str(READER_CHAT_LIMIT),
            "ASKDOCS_RATE_LIMIT__WINDOW_S": str(WINDOW_S),
            "ASKDOCS_WORKER__IN_SERVE": "false",  # the servers serve; the worker ingests
        }
        root: Path = tmp_path_factory.mktemp("scale-out")
        (root / "a").mkdir()
        (root / "b").mkdir()
        # The servers and the worker share one blob directory, as they would a volume.
        settings["ASKDOCS_DOCUMENTS__BLOB_DIR"] = str(root / "blobs")
        a = stack.enter_context(run_server(root / "a", settings))
        b = stack.enter_context(run_server(root / "b", settings))
        stack.enter_context(run_worker(root, settings))
        yield Cluster(a, b, tokens)


def _not_near_a_window_boundary() -> None:
    """Fixed windows start at multiples of WINDOW_S: do not straddle one."""
    left = WINDOW_S - time.time() % WINDOW_S
    if left < 15:
        time.sleep(left + 0.5)


def test_the_reader_chat_limit_counts_requests_on_both_servers_once(cluster):
    _not_near_a_window_boundary()
    token = cluster.keys["reader"]
    with (
        _client(cluster.a, token, "127.0.0.11") as on_a,
        _client(cluster.b, token, "127.0.0.11") as on_b,
    ):
        servers = [on_a, on_b]
        remaining = []
        for n in range(READER_CHAT_LIMIT):
            response = servers[n % 2].post("/api/v1/chat", json={"question": f"Question {n}?"})
            assert response.status_code == 200, response.text
            assert response.headers["RateLimit-Limit"] == str(READER_CHAT_LIMIT)
            remaining.append(int(response.headers["RateLimit-Remaining"]))
        status = [c.get("/api/v1/rate-limit/status").json()["groups"]["chat"] for c in servers]
        refused = [c.post("/api/v1/chat", json={"question": "One more?"}) for c in servers]

    assert remaining == [5, 4, 3, 2, 1, 0]
    assert [(s["used"], s["remaining"]) for s in status] == [(6, 0), (6, 0)]
    for response in refused:
        assert response.status_code == 429, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert 0 < int(response.headers["Retry-After"]) <= WINDOW_S
        assert response.headers["RateLimit-Remaining"] == "0"


def test_a_new_version_on_one_server_invalidates_the_other_servers_cached_answer(cluster):
    token = cluster.keys["editor"]
    question = "At what time does the harbour museum open its doors?"
    old_fact, new_fact = "opens its doors at nine o'clock", "opens its doors at eleven o'clock"
    pages = [
        "The harbour museum keeps a collection of ship models.",
        f"The harbour museum {old_fact} every morning.",
    ]
    with (
        _client(cluster.a, token, "127.0.0.12") as on_a,
        _client(cluster.b, token, "127.0.0.12") as on_b,
    ):
        accepted = on_a.post("/api/v1/docs", files={"file": ("museum.pdf", make_pdf(pages))})
        assert accepted.status_code == 202, accepted.text
        assert settle(on_a, accepted.json()["status_url"])["status"] == "ready"
        document_id = accepted.json()["document_id"]
        first = on_b.post("/api/v1/chat", json={"question": question}).json()
        second = on_b.post("/api/v1/chat", json={"question": question}).json()
        assert (first["cached"], second["cached"]) == (False, True)
        assert old_fact in second["answer"]

        pages[1] = f"The harbour museum {new_fact} every morning."
        changed = on_a.put(
            f"/api/v1/docs/{document_id}", files={"file": ("museum.pdf", make_pdf(pages))}
        )
        assert changed.status_code == 202, changed.text
        assert settle(on_a, changed.json()["status_url"])["status"] == "ready"
        changed_at = time.monotonic()
        polls: list[dict] = []
        while time.monotonic() - changed_at <= INVALIDATION_BUDGET_S:
            reply = on_b.post("/api/v1/chat", json={"question": question})
            assert reply.status_code == 200, reply.text
            polls.append(reply.json())
            if not polls[-1]["cached"] and new_fact in polls[-1]["answer"]:
                break
            time.sleep(POLL_EVERY_S)
        elapsed = time.monotonic() - changed_at

    fresh = polls[-1]
    assert not fresh["cached"], f"B still served the cached answer after {elapsed:.2f} s"
    assert new_fact in fresh["answer"]
    assert old_fact not in fresh["answer"]
    assert fresh["sources"][0]["version"] == 2
    assert elapsed <= INVALIDATION_BUDGET_S


def test_conversation_memory_written_through_one_server_is_seen_by_the_other(cluster):
    session_id = f"s-{uuid.uuid4().hex}"
    owner, stranger = cluster.keys["memory_owner"], cluster.keys["stranger"]
    with (
        _client(cluster.a, owner, "127.0.0.13") as owner_on_a,
        _client(cluster.b, owner, "127.0.0.13") as owner_on_b,
        _client(cluster.b, stranger, "127.0.0.14") as stranger_on_b,
    ):
        asked = owner_on_a.post(
            "/api/v1/chat", json={"question": "Is anyone listening?", "session_id": session_id}
        )
        assert asked.status_code == 200, asked.text
        assert asked.json()["session_id"] == session_id
        assert asked.json()["warnings"] == []

        not_theirs = stranger_on_b.delete(f"/api/v1/chat/sessions/{session_id}")
        not_theirs_chat = stranger_on_b.post(
            "/api/v1/chat", json={"question": "What was said?", "session_id": session_id}
        )
        reset = owner_on_b.delete(f"/api/v1/chat/sessions/{session_id}")
        reset_again = owner_on_b.delete(f"/api/v1/chat/sessions/{session_id}")

    # The stranger's chat under the same id is a conversation of its own (conversations are
    # keyed by owner and id), so the owner's reset on B still finds the owner's from A.
    assert not_theirs.status_code == 404, not_theirs.text
    assert not_theirs_chat.status_code == 200, not_theirs_chat.text
    assert not_theirs_chat.json()["session_id"] == session_id
    assert reset.status_code == 204, reset.text
    assert reset_again.status_code == 404, reset_again.text


def test_both_servers_are_ready_with_the_database_and_redis(cluster):
    for server in (cluster.a, cluster.b):
        response = httpx.get(f"{server.url}/health/ready", timeout=10)

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == "ok"
        assert body["checks"]["database"] == "ok"
        assert body["checks"]["redis"] == "ok"
