"""The image `nox -s container` built, run with podman: ASKDOCS_CONTAINER_IMAGE names it.

Without that variable every test here skips (the image takes minutes to build, and podman is
not on every machine); `nox -s container` sets it, so there a skip cannot happen.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from askdocs.domain.principals import Role, token_digest
from tests.e2e.conftest import free_port

IMAGE = os.environ.get("ASKDOCS_CONTAINER_IMAGE", "")
START_TIMEOUT_S = 60.0
STORAGE = ("--storage-driver", "vfs")  # as buildah built it: no overlay on this kind of host


def podman(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["podman", *STORAGE, *args], capture_output=True, text=True, check=check, timeout=timeout
    )


@dataclasses.dataclass
class Container:
    """A running container of the image and an admin key it accepts."""

    name: str
    url: str
    admin_key: str

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"X-API-Key": self.admin_key}, timeout=30)

    def python(self, code: str, *, user: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run Python code in the container (there is no shell in the image)."""
        as_user = ("--user", user) if user else ()
        return podman("exec", *as_user, self.name, "python", "-c", code, check=False)

    def logs(self) -> str:
        return podman("logs", self.name, check=False).stdout


@pytest.fixture(scope="session")
def image() -> str:
    if not IMAGE:
        pytest.skip("ASKDOCS_CONTAINER_IMAGE is not set: `nox -s container` builds and sets it")
    return IMAGE


@pytest.fixture(scope="session")
def inspected(image: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = json.loads(podman("image", "inspect", image).stdout)
    return found[0]


@contextlib.contextmanager
def running(image: str, *options: str, port: int, env: dict[str, str]) -> Iterator[Container]:
    """Start the image read-only, /tmp a tmpfs and /var/lib/askdocs a fresh volume, with an
    admin key of the test's; removed (with its volume) afterwards."""
    name = f"askdocs-test-{uuid.uuid4().hex[:8]}"
    token = f"askd_{uuid.uuid4().hex}"
    environment = {"ASKDOCS_AUTH__API_KEYS": f"{token_digest(token)}:{Role.ADMIN.value}", **env}
    env_flags = [flag for key, value in environment.items() for flag in ("-e", f"{key}={value}")]
    podman(
        "run", "-d", "--name", name, "--read-only", "--tmpfs", "/tmp",
        "--volume", f"{name}:/var/lib/askdocs", *env_flags, *options, image,
    )  # fmt: skip
    container = Container(name, f"http://127.0.0.1:{port}", token)
    try:
        _wait_until_live(container)
        yield container
    finally:
        podman("rm", "-f", "-t", "0", name, check=False)
        podman("volume", "rm", "-f", name, check=False)


def _wait_until_live(container: Container) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{container.url}/health/live", timeout=2).status_code == 200:
                return
        state = podman("inspect", "-f", "{{.State.Running}}", container.name, check=False)
        if state.stdout.strip() == "false":
            break
        time.sleep(0.5)
    pytest.fail(f"the container did not come up:\n{container.logs()}")


@pytest.fixture(scope="session")
def embedded(image: str) -> Iterator[Container]:
    """The image on its embedded defaults, its port published on 127.0.0.1."""
    port = free_port()
    with running(image, "-p", f"127.0.0.1:{port}:8000", port=port, env={}) as container:
        yield container
