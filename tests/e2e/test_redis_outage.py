"""Redis goes away under load and comes back: askdocs degrades, never fails, and recovers.

A PRIVATE `redis-server` on a free port (never the machine's shared one) backs one
`askdocs serve`. While two clients send chat questions and readiness probes, the test stops
that Redis, waits ~2 s and starts it again on the same port, without touching askdocs.

askdocs' Redis circuit breaker runs with a 0.5 s period here (5 s by default), so answers
are cached again within about that long of Redis answering again.

Seen on this machine (2 cores; counts vary with its load), four runs: 348-438 requests in
4.8-5.1 s, 0 answered 5xx (every one 200), 111-186 of them during the 2 s outage, 38-65 readiness
probes answering "degraded"; a cached answer again 0.09-0.27 s after Redis answered again. The
test prints these counts (`pytest -s`).
"""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from askdocs.application.api_keys import new_token
from askdocs.application.ask_question import MEMORY_UNAVAILABLE
from askdocs.domain.principals import token_digest
from tests.e2e.conftest import Server, run_server, settle
from tests.support.pdf import make_pdf
from tests.support.private_redis import PrivateRedis, private_redis

pytestmark = pytest.mark.e2e

OUTAGE_S = 2.0
STEADY_S = 1.0
"""Traffic with Redis up before the outage and, at least, after it."""
TRAFFIC_BUDGET_S = 15.0
MAX_REQUESTS = 1500
"""A bound on the whole run, far above what the phases need (a few hundred)."""
BREAKER_COOLDOWN_S = 0.5
"""askdocs' Redis breaker period: once Redis is back, calls may still fail at once this long,
until the breaker's next trial call reaches it."""
TRIAL_SLACK_S = 0.25
"""Time for that trial to be made (traffic sends a request every few milliseconds)."""
CLIENTS = 2
PAUSE_S = 0.05
"""Between one client's rounds, so the run stays at a few hundred requests."""
REPEATED = "How many steel wheels does the observatory dome rotate on?"
GUIDE_PAGES = [
    "The observatory dome rotates on twelve steel wheels.",
    "Stargazing evenings begin at nine o'clock every Thursday.",
]


@dataclasses.dataclass
class Record:
    kind: str  # "chat", "session" or "ready"
    sent: float
    done: float
    status: int
    body: dict


@dataclasses.dataclass
class Timeline:
    stopping: float = float("inf")
    """Redis is being stopped."""
    down: float = float("inf")
    """Redis has exited."""
    restarting: float = float("inf")
    """Redis is being started again."""
    up: float = float("inf")
    """Redis answers again."""

    def during_outage(self, record: Record) -> bool:
        return self.down <= record.sent and record.done <= self.restarting

    @property
    def recovered(self) -> float:
        """By now the breaker has let a call through to the restarted Redis and closed."""
        return self.up + BREAKER_COOLDOWN_S + TRIAL_SLACK_S

    def after_recovery(self, record: Record) -> bool:
        return record.sent >= self.recovered


@pytest.fixture(scope="module")
def redis_server() -> Iterator[PrivateRedis]:
    with private_redis() as server:
        yield server


@pytest.fixture(scope="module")
def served(
    redis_server: PrivateRedis, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, dict[str, str]]]:
    tokens = {"editor": new_token(), "reader": new_token()}
    settings = {
        "ASKDOCS_REDIS__URL": redis_server.url,
        "ASKDOCS_REDIS__BREAKER_COOLDOWN_S": str(BREAKER_COOLDOWN_S),
        "ASKDOCS_AUTH__API_KEYS": ",".join(f"{token_digest(t)}:{r}" for r, t in tokens.items()),
        "ASKDOCS_RATE_LIMIT__READER__CHAT_PER_WINDOW": "100000",
    }
    with run_server(tmp_path_factory.mktemp("serve-redis-outage"), settings) as server:
        yield server, tokens


def _traffic(
    server: Server, token: str, stop: threading.Event, records: list[Record], lock: threading.Lock
) -> None:
    """Rounds of: the repeated question, a question in a session, a readiness probe."""
    session_id = f"s-{uuid.uuid4().hex}"
    requests = [
        ("chat", "POST", "/api/v1/chat", {"question": REPEATED}),
        ("session", "POST", "/api/v1/chat", {"question": REPEATED, "session_id": session_id}),
        ("ready", "GET", "/health/ready", None),
    ]
    with httpx.Client(base_url=server.url, headers={"X-API-Key": token}, timeout=10) as client:
        while not stop.is_set():
            for kind, method, path, body in requests:
                sent = time.monotonic()
                try:
                    response = client.request(method, path, json=body)
                except httpx.TransportError as exc:  # recorded as status 0, never a pass
                    record = Record(kind, sent, time.monotonic(), 0, {"error": repr(exc)})
                else:
                    status, reply = response.status_code, _body(response)
                    record = Record(kind, sent, time.monotonic(), status, reply)
                with lock:
                    records.append(record)
                    if len(records) >= MAX_REQUESTS:
                        stop.set()
            time.sleep(PAUSE_S)


def _body(response: httpx.Response) -> dict:
    try:
        return response.json()
    except ValueError:
        return {"unreadable": response.text[:200]}


def _wait_for(condition, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_a_redis_outage_degrades_answers_and_readiness_and_recovers_without_a_restart(
    served: tuple[Server, dict[str, str]], redis_server: PrivateRedis
):
    server, tokens = served
    uploaded = httpx.post(
        f"{server.url}/api/v1/docs",
        headers={"X-API-Key": tokens["editor"]},
        files={"file": ("guide.pdf", make_pdf(GUIDE_PAGES))},
        timeout=30,
    )
    assert uploaded.status_code == 202, uploaded.text
    with httpx.Client(base_url=server.url, headers={"X-API-Key": tokens["editor"]}) as client:
        assert settle(client, uploaded.json()["status_url"])["status"] == "ready"

    records: list[Record] = []
    lock = threading.Lock()
    stop = threading.Event()
    timeline = Timeline()
    clients = [
        threading.Thread(
            target=_traffic,
            args=(server, tokens["reader"], stop, records, lock),
            daemon=True,
        )
        for _ in range(CLIENTS)
    ]

    def seen(predicate) -> bool:
        with lock:
            return any(predicate(r) for r in records)

    started = time.monotonic()
    deadline = started + TRAFFIC_BUDGET_S
    for client in clients:
        client.start()
    try:
        cached_before = _wait_for(
            lambda: seen(lambda r: r.kind == "chat" and r.body.get("cached") is True),
            min(deadline, started + 3),
        )
        time.sleep(max(0.0, started + STEADY_S - time.monotonic()))
        timeline.stopping = time.monotonic()
        redis_server.stop()
        timeline.down = time.monotonic()
        time.sleep(OUTAGE_S)
        timeline.restarting = time.monotonic()
        redis_server.start()
        timeline.up = time.monotonic()
        _wait_for(
            lambda: (
                seen(
                    lambda r: (
                        timeline.after_recovery(r) and r.kind == "chat" and r.body.get("cached")
                    )
                )
                and seen(lambda r: timeline.after_recovery(r) and r.body.get("status") == "ok")
            ),
            deadline,
        )
        time.sleep(max(0.0, timeline.recovered + STEADY_S - time.monotonic()))
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=15)
    elapsed = time.monotonic() - started

    outage = [r for r in records if timeline.during_outage(r)]
    after = [r for r in records if timeline.after_recovery(r)]
    server_errors = [r for r in records if r.status >= 500]
    degraded_probes = [
        r for r in records if r.kind == "ready" and r.body.get("status") == "degraded"
    ]
    cached_again = [
        r.done - timeline.up
        for r in records
        if r.sent >= timeline.up and r.kind == "chat" and r.body.get("cached")
    ]
    print(
        f"\nredis outage: {len(records)} requests in {elapsed:.1f} s, "
        f"{len(server_errors)} 5xx, {len(outage)} during the outage, "
        f"{len(degraded_probes)} readiness probes 'degraded', {len(after)} after recovery, "
        f"cached again {min(cached_again, default=float('nan')):.2f} s after the restart"
    )

    assert not server_errors, server_errors[:3]
    assert cached_before, "no cached answer before the outage"
    assert all(r.status == 200 for r in records), [r for r in records if r.status != 200][:3]

    outage_chats = [r for r in outage if r.kind in ("chat", "session")]
    outage_probes = [r for r in outage if r.kind == "ready"]
    assert len(outage_chats) >= 10, "too few answers during the outage"
    assert all(r.body["answer"] and not r.body["cached"] for r in outage_chats)
    assert all(GUIDE_PAGES[0] in r.body["answer"] for r in outage_chats)
    assert all(MEMORY_UNAVAILABLE in r.body["warnings"] for r in outage if r.kind == "session"), [
        r.body for r in outage if r.kind == "session"
    ][:2]
    assert outage_probes
    assert all(
        (r.body["status"], r.body["checks"]["redis"]) == ("degraded", "unavailable")
        for r in outage_probes
    ), [r.body for r in outage_probes]
    assert all(
        timeline.stopping <= r.done and r.sent <= timeline.recovered for r in degraded_probes
    ), "readiness said degraded while Redis was up and the breaker had tried it"

    after_probes = [r for r in after if r.kind == "ready"]
    assert after_probes
    assert all(
        (r.body["status"], r.body["checks"]["redis"]) == ("ok", "ok") for r in after_probes
    ), [r.body for r in after_probes]
    assert cached_again, "no cached answer after Redis came back"
    assert server.process.poll() is None, "askdocs itself must not have been restarted"
    assert all(r.body["warnings"] == [] for r in after if r.kind == "session")
