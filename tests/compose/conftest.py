"""The stack of compose.yaml, brought up with podman-compose as a user would: the compose file
as it ships, in a folder of its own with a .env made from .env.example.

ASKDOCS_COMPOSE_IMAGES names the images (`APP_IMAGE=...,POSTGRES_IMAGE=...,REDIS_IMAGE=...`,
the variables .env.example sets); without it every test here skips (podman and the images
are not on every machine). `nox -s compose` builds them and sets it, so there a skip cannot
happen.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import secrets
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
IMAGES = dict(
    pair.split("=", 1) for pair in os.environ.get("ASKDOCS_COMPOSE_IMAGES", "").split(",") if pair
)
READY_TIMEOUT_S = 180.0
"""First start: PostgreSQL makes its cluster, migrate waits for it, then server and worker."""
HEALTH_RETRIES = 3
"""Consecutive failures after which an engine calls a service unhealthy: the `retries` of the
image's check and the worker's (3); PostgreSQL's and Redis' allow more."""
STORAGE = "--storage-driver=vfs"  # as buildah built the images: no overlay on this kind of host


def podman(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["podman", STORAGE, *args], capture_output=True, text=True, check=check, timeout=timeout
    )


@dataclasses.dataclass
class Stack:
    """One project of compose.yaml: its folder, name and published port."""

    directory: Path
    project: str
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def compose(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        # No pod: a pod needs an infra image, which a machine without a registry lacks.
        command = ["podman-compose", "--in-pod", "false", f"--podman-args={STORAGE}"]
        return subprocess.run(
            [*command, "-p", self.project, *args],
            cwd=self.directory,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def container(self, service: str) -> str:
        return f"{self.project}_{service}_1"

    def logs(self, service: str) -> str:
        found = podman("logs", self.container(service), check=False)
        return found.stdout + found.stderr

    def inspect(self, service: str, template: str) -> str:
        return podman("inspect", "-f", template, self.container(service)).stdout.strip()

    def up(self) -> None:
        started = self.compose("up", "-d")
        assert started.returncode == 0, started.stdout + started.stderr
        self.wait_until_ready()
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not self.healthy("worker"):  # as `depends_on: service_healthy` would wait
            assert time.monotonic() < deadline, f"the worker is not healthy:\n{self.logs('worker')}"

    def healthy(self, service: str) -> bool:
        """Whether the service's health check passes within its retries, the count after
        which an engine calls it unhealthy (podman here runs no checks by itself: no
        systemd)."""
        for _ in range(HEALTH_RETRIES):
            if podman("healthcheck", "run", self.container(service), check=False).returncode == 0:
                return True
        return False

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/health/ready", timeout=5).status_code == 200:
                    return
            time.sleep(1)
        services = ("postgres", "migrate", "server", "worker")
        pytest.fail(
            f"the stack was not ready within {READY_TIMEOUT_S:g} s:\n"
            + "\n".join(f"--- {name}\n{self.logs(name)[-3000:]}" for name in services)
        )

    def admin_key(self) -> str:
        """A key made as docs/deployment.md says: `askdocs keys create` in the server."""
        made = self.compose(
            "exec", "server", "askdocs", "keys", "create", "--role", "admin", "--name", "test"
        )
        found = re.search(r"^admin API key: (\S+)$", made.stdout, re.M)
        assert found, made.stdout + made.stderr
        return found.group(1)


def environment_file(port: int) -> str:
    """.env.example with a password, the test's port and the images filled in (the lines of
    the images are examples there, commented out)."""
    values = {"POSTGRES_PASSWORD": secrets.token_hex(16), "HTTP_PORT": str(port), **IMAGES}
    lines = []
    for line in (ROOT / ".env.example").read_text().splitlines():
        name = line.removeprefix("# ").split("=", 1)[0]
        lines.append(f"{name}={values.pop(name)}" if name in values else line)
    assert not values, f".env.example lacks {sorted(values)}"
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not IMAGES:
        pytest.skip("ASKDOCS_COMPOSE_IMAGES is not set: `nox -s compose` builds and sets it")
    directory = tmp_path_factory.mktemp("stack")
    shutil.copy(ROOT / "compose.yaml", directory / "compose.yaml")
    port = free_port()
    (directory / ".env").write_text(environment_file(port))
    running = Stack(directory, f"askdocs-test-{uuid.uuid4().hex[:8]}", port)
    try:
        running.up()
        yield running
    finally:
        running.compose("down", "-v", "-t", "5")
