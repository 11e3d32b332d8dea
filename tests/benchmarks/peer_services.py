"""Loading the PostgreSQL 15 manual into askdocs and into the peer, and serving both.

Each service gets a schema of its own in the test database, dropped after the run. The peer
(tests/benchmarks/peer/) runs from its own virtualenv: its ingestion is one process reading
the manual from disk; askdocs' is `askdocs ingest FOLDER` against a fresh `askdocs serve` and
one `askdocs worker`. The servers and the ingesting processes are pinned to core 0; the
`askdocs ingest` client, like wrk, to core 1. PostgreSQL itself is not pinned, for either.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from tests.benchmarks import run
from tests.benchmarks.manual_corpus import MANUAL, empty_schema, manual_pages
from tests.support.postgres import postgres_url

ROOT = Path(__file__).resolve().parents[2]
PEER = Path(__file__).resolve().with_name("peer")
"""The peer's scripts; run by path, since tests.benchmarks.peer names the benchmark module."""
PEER_VENV = ROOT / ".nox" / "peer-venv"
"""Where `nox -s bench -- --peer` makes the peer's virtualenv (PEER_PYTHON
names another interpreter)."""
SERVER_CORE = "0"
CLIENT_CORE = "1"
INGEST_TIMEOUT_S = 3600
PEER_TABLE = "data_manual"  # PGVectorStore prefixes the table name peer/stack.py gives it


@dataclass(frozen=True)
class Ingested:
    """How long one service took to make the manual searchable, and what it stored."""

    seconds: float
    pages: int
    chunks: int

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds


def peer_python() -> Path:
    return Path(os.environ.get("PEER_PYTHON") or PEER_VENV / "bin" / "python")


def pinned(command: Sequence[str], core: str) -> list[str]:
    return ["taskset", "-c", core, *command] if shutil.which("taskset") else list(command)


@contextlib.asynccontextmanager
async def peer_schema() -> AsyncIterator[str]:
    """An empty schema for the peer's PGVectorStore (it makes its own table); dropped on exit."""
    async with empty_schema("bench_peer") as (_, schema):
        yield schema


def peer_database_url() -> str:
    return os.environ.get("ASKDOCS_BENCH_DATABASE_URL", postgres_url())


def peer_environment(schema: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "PEER_DATABASE_URL": peer_database_url(), "PEER_SCHEMA": schema, **extra}


def ingest_peer(schema: str) -> Ingested:
    """The peer's ingestion of the manual, timed by the peer itself (imports left out)."""
    command = pinned([str(peer_python()), str(PEER / "ingest.py"), str(MANUAL)], SERVER_CORE)
    result = subprocess.run(
        command,
        env=peer_environment(schema),
        capture_output=True,
        text=True,
        timeout=INGEST_TIMEOUT_S,
    )
    if result.returncode != 0:
        raise RuntimeError(f"the peer's ingestion failed:\n{result.stderr[-4000:]}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    chunks = count_rows(schema, PEER_TABLE)
    return Ingested(seconds=figures["seconds"], pages=figures["pages"], chunks=chunks)


def ingest_askdocs(
    stack: contextlib.ExitStack, url: str, blobs: str
) -> tuple[Ingested, int, str, int]:
    """`askdocs ingest` of the manual against a fresh server and one worker; the server is
    left running (the worker is stopped) and its port, admin key and process id returned with
    the figure.
    """
    port = run.free_port()
    database = {"ASKDOCS_DATABASE__URL": url, "ASKDOCS_WORKER__IN_SERVE": "false"}
    # An answer cache in process, as the peer's TTLCache: `auto` turns it off when jobs are in
    # PostgreSQL without Redis, since another process could ingest unheard; here none does
    # once the chat runs start, and no question is asked before.
    serving = {**database, "ASKDOCS_CACHE__BACKEND": "memory"}
    server, key = run.start_server(port, blobs, extra=serving, core=SERVER_CORE)
    stack.callback(stop, server)
    worker = subprocess.Popen(
        pinned([sys.executable, "-m", "askdocs.entrypoints.cli.main", "worker"], SERVER_CORE),
        env={
            **os.environ,
            **database,
            "ASKDOCS_DOCUMENTS__BLOB_DIR": blobs,
            "ASKDOCS_LOG__LEVEL": "WARNING",
        },
    )
    try:
        command = [sys.executable, "-m", "askdocs.entrypoints.cli.main", "ingest", str(MANUAL)]
        environment = {
            **os.environ,
            "ASKDOCS_URL": f"http://127.0.0.1:{port}",
            "ASKDOCS_API_KEY": key,
        }
        started = time.perf_counter()
        result = subprocess.run(
            pinned(command, CLIENT_CORE),
            env=environment,
            capture_output=True,
            text=True,
            timeout=INGEST_TIMEOUT_S,
        )
        seconds = time.perf_counter() - started
    finally:
        stop(worker)
    if result.returncode != 0:
        raise RuntimeError(f"askdocs ingest failed:\n{result.stderr[-4000:]}")
    chunks = int(_sql(url, "SELECT count(*) FROM chunks"))
    return Ingested(seconds, len(manual_pages()), chunks), port, key, server.pid


def start_peer(stack: contextlib.ExitStack, schema: str) -> tuple[int, int]:
    """The peer's server on a free port, pinned to core 0, stopped when `stack` closes: its
    port and process id."""
    port = run.free_port()
    server = subprocess.Popen(
        pinned([str(peer_python()), str(PEER / "app.py")], SERVER_CORE),
        env=peer_environment(schema, PEER_PORT=str(port)),
    )
    stack.callback(stop, server)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/live").is_success:
                return port, server.pid
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("the peer's server did not come up")


def vacuum(askdocs_url: str, peer_schema: str) -> None:
    """VACUUM ANALYZE both services' tables after their bulk loads, as autovacuum would: the
    planner then sees their real sizes (askdocs' list as `askdocs eval` settles it)."""
    _sql(askdocs_url, "VACUUM (ANALYZE) chunks, live_pages, live_documents")
    _sql(peer_database_url(), f"VACUUM (ANALYZE) {peer_schema}.{PEER_TABLE}")


def count_rows(schema: str, table: str) -> int:
    return int(_sql(peer_database_url(), f"SELECT count(*) FROM {schema}.{table}"))


def _sql(url: str, statement: str) -> Any:
    """One statement on its own connection (in the calling thread's own event loop)."""

    async def once() -> Any:
        connection = await asyncpg.connect(url)
        try:
            return await connection.fetchval(statement)
        finally:
            await connection.close()

    return asyncio.run(once())


def stop(process: subprocess.Popen[str] | subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=30)
