"""A throwaway PostgreSQL cluster on a free port, for tests that stop and start the server.

The machine's shared server is never stopped or reconfigured by a test; this one belongs to
the test alone. initdb refuses to run as root, so the cluster is made and run as the
`postgres` user when the tests run as root.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.support.postgres import unavailable


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrivatePostgres:
    """One cluster: `url` to connect, `stop()` and `start()` to take it down and up again."""

    def __init__(self, bin_dir: Path, data_dir: Path, port: int) -> None:
        self._bin = bin_dir
        self._data = data_dir
        self.port = port
        self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        # No pipes: the server pg_ctl leaves running would hold them open, and the call hang.
        subprocess.run(
            [*prefix, *command],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )

    def start(self) -> None:
        self._run(
            str(self._bin / "pg_ctl"),
            "-D",
            str(self._data),
            "-o",
            f"-p {self.port} -k {self._data} -c listen_addresses=127.0.0.1 -c fsync=off",
            "-l",
            str(self._data.parent / "server.log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        """Stop at once, as a crash or a failover would: open connections are cut."""
        self._run(str(self._bin / "pg_ctl"), "-D", str(self._data), "-m", "immediate", "stop")


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    bin_dir = _bin_dir()
    if bin_dir is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        unavailable("no PostgreSQL server binaries to start a private cluster")
    assert bin_dir is not None
    root = Path(tempfile.mkdtemp(prefix="askdocs-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    cluster = PrivatePostgres(bin_dir, data, free_port())
    try:
        cluster._run(
            str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        cluster.start()
        try:
            yield cluster
        finally:
            with contextlib.suppress(subprocess.CalledProcessError):
                cluster.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
