"""Chats per second from one `askdocs serve` while its Redis is frozen (SIGSTOP: the port
accepts connections, nothing answers), with the circuit breaker and without it
(`nox -s bench -- --only frozen-redis`).

"Without" is `redis.breaker_cooldown_s=0`: every call is its own trial and waits out the
socket timeout, as before the breaker. Each configuration gets a fresh server and a private
redis-server; chats go out from 1 and from 16 client threads, each with a new session id, for
`--frozen-seconds` with Redis answering and then frozen.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

from tests.e2e.conftest import Server, run_server
from tests.support.private_redis import private_redis

GUIDE = b"# Dome\n\nThe observatory dome rotates on twelve steel wheels.\n"
QUESTION = "How many steel wheels does the observatory dome rotate on?"
CONFIGURATIONS = {"without the breaker": "0", "with the breaker (5 s)": "5"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--frozen-seconds", type=float, default=8.0)


def _chats_per_second(server: Server, clients: int, seconds: float) -> tuple[float, dict[int, int]]:
    stop, lock = threading.Event(), threading.Lock()
    statuses: dict[int, int] = {}

    def chat() -> None:
        headers = {"X-API-Key": server.admin_key or ""}
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
            while not stop.is_set():
                body = {"question": QUESTION, "session_id": f"s-{uuid.uuid4().hex}"}
                status = client.post("/api/v1/chat", json=body).status_code
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=chat) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return sum(statuses.values()) / (time.monotonic() - started), statuses


def _ready(server: Server) -> None:
    headers = {"X-API-Key": server.admin_key or ""}
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
        status_url = client.post(
            "/api/v1/docs", files={"file": ("guide.md", GUIDE, "text/markdown")}
        ).json()["status_url"]
        while client.get(status_url).json()["status"] not in ("ready", "failed"):
            time.sleep(0.1)


def main_with(args: argparse.Namespace) -> int:
    seconds = args.frozen_seconds
    print(f"Chats/s from one server, {seconds:g} s per phase, a new session per chat:")
    for name, cooldown in CONFIGURATIONS.items():
        with private_redis() as redis, tempfile.TemporaryDirectory() as work:
            settings = {
                "ASKDOCS_REDIS__URL": redis.url,
                "ASKDOCS_REDIS__BREAKER_COOLDOWN_S": cooldown,
                "ASKDOCS_RATE_LIMIT__ADMIN__CHAT_PER_WINDOW": "100000000",
                "ASKDOCS_LOG__LEVEL": "WARNING",
            }
            with run_server(Path(work), settings) as server:
                _ready(server)
                for clients in (1, 16):
                    answering, _ = _chats_per_second(server, clients, seconds)
                    redis.freeze()
                    try:
                        frozen, statuses = _chats_per_second(server, clients, seconds)
                    finally:
                        redis.thaw()
                    print(
                        f"  {name:24} {clients:2d} clients: Redis answering {answering:7.1f}, "
                        f"frozen {frozen:7.1f}  (statuses while frozen: {statuses})",
                        flush=True,
                    )
                    time.sleep(float(cooldown) + 1)  # the breaker closes before the next phase
    return 0
