"""`askdocs serve` as a real process on a free port, driven over HTTP.

The main server runs with no key configured, so it prints its generated admin key on stdout;
a second one is started with keys made by `askdocs keys create` for the role checks.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.postgres import migrated_schema

START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
ADMIN_LINE = re.compile(r"^admin API key: (\S+)$")
ENTRY_LINE = re.compile(r"ASKDOCS_AUTH__API_KEYS \(comma-separated\): ([0-9a-f]{64}:\w+)$")
TOKEN_LINE = re.compile(r"^(\w+) API key: (\S+)$")


@dataclasses.dataclass
class Server:
    """A running `askdocs serve` process."""

    url: str
    process: subprocess.Popen[str]
    admin_key: str | None
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def base_environment(**settings: str) -> dict[str, str]:
    """The test process's environment without ASKDOCS_* variables, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASKDOCS_")}
    return {**env, **settings}


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "askdocs.entrypoints.cli.main", *args]


def run_cli(*args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """`askdocs ARGS` to its end with `settings` as its only ASKDOCS_* variables."""
    return subprocess.run(
        cli_command(*args),
        env=base_environment(**settings),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def create_key(role: str) -> tuple[str, str]:
    """Run `askdocs keys create --role ROLE`; the token and its `sha256:role` entry."""
    done = subprocess.run(
        cli_command("keys", "create", "--role", role),
        env=base_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = done.stdout.splitlines()
    token = next(m.group(2) for m in map(TOKEN_LINE.match, lines) if m and m.group(1) == role)
    entry = next(m.group(1) for m in map(ENTRY_LINE.search, lines) if m)
    return token, entry


def _read_admin_key(process: subprocess.Popen[str], deadline: float) -> str:
    assert process.stdout is not None
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.2)
        if ready:
            line = process.stdout.readline()
            if not line:
                break
            if match := ADMIN_LINE.match(line.strip()):
                return match.group(1)
        if process.poll() is not None:
            break
    raise AssertionError("askdocs serve printed no 'admin API key:' line")


def _wait_until_live(server: Server, deadline: float) -> None:
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"askdocs serve exited early:\n{server.log()}")
        try:
            if httpx.get(f"{server.url}/health/live", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"askdocs serve was not live within {START_TIMEOUT_S} s:\n{server.log()}")


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_S)
    if process.stdout is not None:
        process.stdout.close()


@contextlib.contextmanager
def run_server(
    workdir: Path,
    settings: Mapping[str, str],
    arguments: tuple[str, ...] = (),
    *,
    prints_admin_key: bool | None = None,
) -> Iterator[Server]:
    """Start `askdocs serve` (with `arguments`); yields once /health/live answers, stops it
    afterwards. The admin key it prints is read when `prints_admin_key` (by default: when no
    key is configured). It listens on a free port, or on the one `--port` in `arguments` names."""
    port = int(arguments[arguments.index("--port") + 1]) if "--port" in arguments else free_port()
    env = base_environment(
        **{
            "ASKDOCS_SERVER__PORT": str(port),
            "ASKDOCS_DOCUMENTS__BLOB_DIR": str(workdir / "blobs"),
            "ASKDOCS_LOG__JSON": "true",
            **settings,
        }
    )
    log_path = workdir / "server.log"
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            cli_command("serve", *arguments),
            env=env,
            cwd=workdir,
            stdout=subprocess.PIPE,
            stderr=log_file,
            text=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        admin_key = None
        if prints_admin_key is None:
            prints_admin_key = not settings.get("ASKDOCS_AUTH__API_KEYS")
        if prints_admin_key:
            admin_key = _read_admin_key(process, deadline)
        server = Server(f"http://127.0.0.1:{port}", process, admin_key, log_path)
        _wait_until_live(server, deadline)
        yield server
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The shared server, with the admin key it generated and printed."""
    with run_server(tmp_path_factory.mktemp("serve"), {}) as running:
        yield running


@pytest.fixture(scope="module")
def keyed_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Server, dict[str, str]]]:
    """A server started with a reader and an admin key from `askdocs keys create`."""
    reader_token, reader_entry = create_key("reader")
    admin_token, admin_entry = create_key("admin")
    settings = {"ASKDOCS_AUTH__API_KEYS": f"{reader_entry},{admin_entry}"}
    with run_server(tmp_path_factory.mktemp("serve-keyed"), settings) as running:
        yield running, {"reader": reader_token, "admin": admin_token}


@pytest.fixture
def admin(server: Server) -> Iterator[httpx.Client]:
    """An HTTP client on the shared server presenting its admin key."""
    assert server.admin_key is not None
    with httpx.Client(
        base_url=server.url, headers={"X-API-Key": server.admin_key}, timeout=60
    ) as client:
        yield client


@pytest.fixture
def dead_url() -> str:
    """The URL of a local port nothing listens on."""
    return f"http://127.0.0.1:{free_port()}"


SETTLE_TIMEOUT_S = 60.0


def settle(
    client: httpx.Client, status_url: str, timeout_s: float = SETTLE_TIMEOUT_S
) -> dict[str, Any]:
    """Poll a version's status URL until it is ready or failed; its last state."""
    deadline = time.monotonic() + timeout_s
    while True:
        response = client.get(status_url)
        assert response.status_code == 200, response.text
        version: dict[str, Any] = response.json()
        if version["status"] in ("ready", "failed"):
            return version
        assert time.monotonic() < deadline, f"not settled within {timeout_s} s: {version}"
        time.sleep(0.05)


def upload_and_settle(
    client: httpx.Client,
    name: str,
    data: bytes,
    *,
    path: str = "/api/v1/docs",
    method: str = "POST",
) -> dict[str, Any]:
    """Upload (or PUT a new version to `path`), then wait for the version to settle."""
    response = client.request(method, path, files={"file": (name, data)})
    assert response.status_code in (200, 202), response.text
    body: dict[str, Any] = response.json()
    return {**body, "settled": settle(client, body["status_url"])}


@dataclasses.dataclass
class Worker:
    """A running `askdocs worker` process."""

    process: subprocess.Popen[str]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextlib.contextmanager
def run_worker(
    workdir: Path, settings: Mapping[str, str], *, name: str = "worker"
) -> Iterator[Worker]:
    """Start `askdocs worker`; stops it (SIGTERM, then SIGKILL) afterwards."""
    env = base_environment(
        **{
            "ASKDOCS_DOCUMENTS__BLOB_DIR": str(workdir / "blobs"),
            "ASKDOCS_LOG__JSON": "true",
            **settings,
        }
    )
    log_path = workdir / f"{name}.log"
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            cli_command("worker"),
            env=env,
            cwd=workdir,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        yield Worker(process, log_path)
    finally:
        _stop(process)


@contextlib.contextmanager
def migrated_schema_url() -> Iterator[str]:
    """A fresh migrated schema's URL (`?search_path=...`), dropped afterwards."""
    loop = asyncio.new_event_loop()
    schemas = migrated_schema()
    try:
        database = loop.run_until_complete(schemas.__anext__())
        yield database.url
    finally:
        loop.run_until_complete(schemas.aclose())
        loop.close()
