"""Loading the PostgreSQL 15 manual for tests/benchmarks/manual.py, in both storage modes.

Embedded: the in-memory index lives in the server, so the pages go in through its HTTP API
and its own worker. PostgreSQL: a schema of its own in the local server (created, migrated
with `askdocs migrate`, dropped after the run), loaded in this process through the same
IngestDocument the evaluation uses, two pages at a time (each parse has a process of its
own), then vacuum-analysed as autovacuum would after a bulk load.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import asyncpg
import httpx

from askdocs.application.ingest_document import Upload
from askdocs.domain.principals import Principal, Role
from askdocs.entrypoints.cli.eval_database import scoped_url, settle
from askdocs.entrypoints.container import build_container
from askdocs.entrypoints.settings import load_settings
from tests.support.postgres import ensure_test_database, postgres_url

MANUAL = Path("/usr/share/doc/postgresql-doc-15/html")
INGEST_DEADLINE_S = 1800
_PRINCIPAL = Principal("bench", Role.ADMIN)
_CHUNKS_METRIC = re.compile(r"^askdocs_ingest_chunks_embedded_sum (\S+)$", re.MULTILINE)


def manual_pages() -> list[Path]:
    return sorted(MANUAL.glob("*.html"))


def manual_pages_or_say_why() -> list[Path]:
    """The manual's pages; when there are none, a line on stderr saying how to install them."""
    pages = manual_pages()
    if not pages:
        print(f"no pages in {MANUAL}: apt-get install postgresql-doc-15", file=sys.stderr)
    return pages


def package_dirs(baseline: str) -> dict[str, str]:
    """The askdocs packages to measure: the current one, and the one in `baseline` if named."""
    codes = {"current": ""}
    if baseline:
        codes["baseline"] = str(Path(baseline).resolve())
    return codes


def upload(client: httpx.Client, pages: Sequence[Path]) -> int:
    """Upload `pages` to a server, wait until its worker has made every one ready, and
    return the chunks it embedded (from its Prometheus metrics)."""
    status_urls = []
    for path in pages:
        response = client.post("/api/v1/docs", files={"file": (path.name, path.read_bytes())})
        response.raise_for_status()
        status_urls.append(response.json()["status_url"])
    deadline = time.monotonic() + INGEST_DEADLINE_S
    while status_urls:  # jobs run in order: once the last is ready, the rest mostly are
        status = client.get(status_urls[-1]).json()["status"]
        if status == "failed":
            raise RuntimeError(f"a page of the manual failed to ingest: {status_urls[-1]}")
        if status == "ready":
            status_urls.pop()
        elif time.monotonic() > deadline:
            raise RuntimeError(f"the manual was not ingested within {INGEST_DEADLINE_S} s")
        else:
            time.sleep(0.5)
    match = _CHUNKS_METRIC.search(client.get("/metrics").text)
    return int(float(match.group(1))) if match else -1


@contextlib.asynccontextmanager
async def empty_schema(prefix: str) -> AsyncIterator[tuple[str, str]]:
    """A new empty schema in the test database, named `prefix` and a random suffix, with the
    database's URL; dropped on exit."""
    url = os.environ.get("ASKDOCS_BENCH_DATABASE_URL", postgres_url())
    await ensure_test_database(url)
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"  # hex only: safe as an identifier
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(f"CREATE SCHEMA {schema}")
        try:
            yield url, schema
        finally:
            await admin.execute(f"DROP SCHEMA {schema} CASCADE")
    finally:
        await admin.close()


@contextlib.asynccontextmanager
async def bench_schema() -> AsyncIterator[str]:
    """A new schema in the test database, migrated by `askdocs migrate`, as a URL selecting
    it; dropped on exit."""
    async with empty_schema("bench") as (url, schema):
        scoped = scoped_url(url, schema)
        migrate = [sys.executable, "-m", "askdocs.entrypoints.cli.main", "migrate"]
        env = {**os.environ, "ASKDOCS_DATABASE__URL": scoped}
        await asyncio.to_thread(
            subprocess.run, migrate, env=env, check=True, capture_output=True, text=True
        )
        yield scoped


async def ingest_into(url: str, blobs: str, pages: Sequence[Path], *, at_once: int = 2) -> int:
    """Ingest `pages` into the database at `url`, `at_once` at a time; the chunks embedded."""
    settings = load_settings(
        {
            "ASKDOCS_DATABASE__URL": url,
            "ASKDOCS_DOCUMENTS__BLOB_DIR": blobs,
            "ASKDOCS_METRICS__BACKEND": "noop",
            "ASKDOCS_LOG__LEVEL": "WARNING",
        }
    )
    container = build_container(settings)
    ingest = container.ingest_document()
    gate = asyncio.Semaphore(at_once)

    async def one(path: Path) -> int:
        async with gate:
            data = await asyncio.to_thread(path.read_bytes)
            report = await ingest.execute(Upload(data, filename=path.name, principal=_PRINCIPAL))
            return report.chunks_embedded

    try:
        chunks = sum(await asyncio.gather(*(one(path) for path in pages)))
        await settle(container.database())
    finally:
        await container.database().close()
    return chunks
