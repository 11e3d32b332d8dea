"""A redis-server process of a test's own on a free port: stopped, started, frozen at will.

The machine's shared Redis is never stopped or frozen by a test. `freeze` stops the process
with SIGSTOP: the kernel still accepts connections on its port, but nothing answers, as with a
hung Redis; `thaw` lets it carry on.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import redis

from tests.support.private_postgres import free_port
from tests.support.redis import unavailable


class PrivateRedis:
    """One redis-server on `port`, keeping nothing on disk; restartable on the same port."""

    def __init__(self, port: int, log_path: Path) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self._log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None
        self._frozen = False

    def start(self, timeout_s: float = 10.0) -> None:
        """Start it and return once it answers a PING."""
        assert self._process is None or self._process.poll() is not None
        with self._log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [
                    "redis-server",
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout_s
        probe = redis.Redis(port=self.port, socket_timeout=0.5, socket_connect_timeout=0.5)
        try:
            while True:
                if self._process.poll() is not None:
                    raise AssertionError(f"redis-server exited:\n{self._log_path.read_text()}")
                try:
                    if probe.ping():
                        return
                except redis.RedisError:
                    if time.monotonic() > deadline:
                        raise
                time.sleep(0.02)
        finally:
            probe.close()

    def stop(self) -> None:
        """Terminate it (thawed first: a stopped process would not act on SIGTERM)."""
        if self._process is not None and self._process.poll() is None:
            self.thaw()
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)

    def freeze(self) -> None:
        """SIGSTOP: connections are still accepted, no command is answered."""
        assert self._process is not None
        assert self._process.poll() is None
        self._process.send_signal(signal.SIGSTOP)
        self._frozen = True

    def thaw(self) -> None:
        """SIGCONT: it answers again, the commands sent meanwhile first."""
        if self._frozen and self._process is not None:
            self._process.send_signal(signal.SIGCONT)
            self._frozen = False


@contextlib.contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    """A started PrivateRedis, stopped afterwards; skips (or fails when services are
    required) without redis-server."""
    if shutil.which("redis-server") is None:
        unavailable("redis-server is not installed")
    with tempfile.TemporaryDirectory(prefix="askdocs-redis-") as root:
        server = PrivateRedis(free_port(), Path(root) / "redis.log")
        try:
            server.start()
            yield server
        finally:
            server.stop()
