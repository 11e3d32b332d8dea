"""Ingestion by real `askdocs worker` processes on PostgreSQL: the whole life of a document,
a worker killed with SIGKILL in the middle of a job, and PostgreSQL stopping under an upload."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import asyncpg
import httpx

from askdocs.application.api_keys import new_token
from askdocs.domain.principals import token_digest
from tests.e2e.conftest import (
    Server,
    migrated_schema_url,
    run_cli,
    run_server,
    run_worker,
    settle,
)
from tests.support.pdf import make_pdf
from tests.support.private_postgres import private_postgres

GUIDE = [
    "The lighthouse museum opens at nine in the morning.",
    "Guided tours of the lamp room leave every hour from the gift shop.",
]
LONG_PAGES = [
    f"Page {n}. The keeper of beacon {n} lights the lamp at {n % 12 + 1} and logs the wind "
    f"for weather station {n * 3}."
    for n in range(1, 801)
]


@contextlib.contextmanager
def _stack(
    workdir: Path, database_url: str, **extra: str
) -> Iterator[tuple[Server, dict[str, str], str]]:
    """`askdocs serve` (no worker of its own) on `database_url`; its settings and editor key."""
    token = new_token()
    settings = {
        "ASKDOCS_DATABASE__URL": database_url,
        "ASKDOCS_DATABASE__POOL_MAX_SIZE": "4",
        "ASKDOCS_DOCUMENTS__BLOB_DIR": str(workdir / "blobs"),
        "ASKDOCS_AUTH__API_KEYS": f"{token_digest(token)}:editor",
        "ASKDOCS_JOBS__HEARTBEAT_TIMEOUT_S": "2",
        "ASKDOCS_WORKER__IN_SERVE": "false",
        **extra,
    }
    with run_server(workdir, settings) as server:
        yield server, settings, token


def _client(server: Server, token: str) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers={"X-API-Key": token}, timeout=30)


def _ask(client: httpx.Client, question: str) -> dict:
    response = client.post("/api/v1/chat", json={"question": question})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_document_is_ingested_by_the_worker_and_follows_versions_deletion_and_restore(
    tmp_path: Path,
) -> None:
    with (
        migrated_schema_url() as url,
        _stack(tmp_path, url) as (server, settings, token),
        run_worker(tmp_path, settings),
        _client(server, token) as client,
    ):
        accepted = client.post("/api/v1/docs", files={"file": ("guide.pdf", make_pdf(GUIDE))})
        assert accepted.status_code == 202, accepted.text
        assert accepted.json()["status"] == "queued"
        assert settle(client, accepted.json()["status_url"])["status"] == "ready"
        document_id = accepted.json()["document_id"]
        reply = _ask(client, "When does the lighthouse museum open?")
        assert "nine in the morning" in reply["answer"]
        assert reply["sources"][0]["document_id"] == document_id

        changed = [GUIDE[0].replace("nine", "ten"), GUIDE[1]]
        put = client.put(
            f"/api/v1/docs/{document_id}", files={"file": ("guide.pdf", make_pdf(changed))}
        )
        assert put.status_code == 202, put.text
        assert settle(client, put.json()["status_url"])["status"] == "ready"
        reply = _ask(client, "When does the lighthouse museum open?")
        assert "ten in the morning" in reply["answer"]
        assert "nine" not in reply["answer"]
        assert reply["sources"][0]["version"] == 2

        assert client.delete(f"/api/v1/docs/{document_id}").status_code == 204
        hidden = _ask(client, "When does the lighthouse museum open?")
        assert all(s["document_id"] != document_id for s in hidden["sources"])

        assert client.post(f"/api/v1/docs/{document_id}/restore").status_code == 200
        back = _ask(client, "When does the lighthouse museum open?")
        assert back["sources"][0]["document_id"] == document_id
        assert back["sources"][0]["version"] == 2


async def _chunk_counts(url: str, document_id: str) -> tuple[int, int]:
    connection = await asyncpg.connect(url)
    try:
        row = await connection.fetchrow(
            "SELECT count(*) AS rows, count(DISTINCT (page_sha256, ordinal)) AS distinct_chunks "
            "FROM chunks WHERE document_id = $1",
            document_id,
        )
    finally:
        await connection.close()
    return row["rows"], row["distinct_chunks"]


def test_a_job_whose_worker_is_killed_is_finished_by_the_next_worker_without_duplicates(
    tmp_path: Path,
) -> None:
    with (
        migrated_schema_url() as url,
        _stack(tmp_path, url) as (server, settings, token),
        _client(server, token) as client,
    ):
        with run_worker(tmp_path, settings, name="first") as first:
            accepted = client.post(
                "/api/v1/docs", files={"file": ("beacons.pdf", make_pdf(LONG_PAGES))}
            )
            assert accepted.status_code == 202, accepted.text
            status_url = accepted.json()["status_url"]
            deadline = time.monotonic() + 30
            while client.get(status_url).json()["status"] != "processing":
                assert time.monotonic() < deadline, first.log()
                time.sleep(0.01)
            os.kill(first.process.pid, signal.SIGKILL)
            first.process.wait(timeout=10)
        assert client.get(status_url).json()["status"] == "processing"

        with run_worker(tmp_path, settings, name="second") as second:
            version = settle(client, status_url)
            assert version["status"] == "ready", second.log()

        assert version["attempts"] >= 2
        assert (version["pages_done"], version["pages_total"]) == (800, 800)
        rows, distinct = asyncio.run(_chunk_counts(url, accepted.json()["document_id"]))
        assert rows == distinct >= 800
        reply = _ask(client, "At what time does the keeper of beacon 613 light the lamp?")
        pages = [s["page"] for s in reply["sources"]]
        assert pages[0] == 613
        assert len(pages) == len(set(pages))


def test_postgres_stopping_during_an_upload_is_a_503_and_nothing_is_left_half_written(
    tmp_path: Path,
) -> None:
    with private_postgres() as postgres:
        migrated = run_cli("migrate", ASKDOCS_DATABASE__URL=postgres.url)
        assert migrated.returncode == 0, migrated.stderr
        extra = {"ASKDOCS_WORKER__IN_SERVE": "true", "ASKDOCS_DATABASE__COMMAND_TIMEOUT_S": "5"}
        with (
            _stack(tmp_path, postgres.url, **extra) as (server, _settings, token),
            _client(server, token) as client,
        ):
            first = client.post("/api/v1/docs", files={"file": ("guide.pdf", make_pdf(GUIDE))})
            assert settle(client, first.json()["status_url"])["status"] == "ready"

            blobs = tmp_path / "blobs"
            stored_before = sorted(p.name for p in blobs.rglob("*") if p.is_file())

            # PostgreSQL stops while the upload's body is still on its way.
            body, content_type = _multipart("other.txt", b"Other notes.\n" * 20_000)
            refused = client.post(
                "/api/v1/docs",
                content=_stop_midway(body, postgres.stop),
                headers={"Content-Type": content_type},
            )
            assert refused.status_code == 503, refused.text
            assert refused.headers["content-type"].startswith("application/problem+json")
            assert "database" in refused.json()["detail"]
            assert sorted(p.name for p in blobs.rglob("*") if p.is_file()) == stored_before

            postgres.start()
            recovered = _wait_for(lambda: client.get("/api/v1/docs").status_code == 200)
            assert recovered, "the API did not recover after PostgreSQL came back"
            listing = client.get("/api/v1/docs").json()
            assert [d["name"] for d in listing["items"]] == ["guide.pdf"]
            again = client.post(
                "/api/v1/docs", content=body, headers={"Content-Type": content_type}
            )
            assert again.status_code == 202, again.text
            assert settle(client, again.json()["status_url"])["status"] == "ready"


def _multipart(name: str, data: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body with `data` in the field `file`, and its content type."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return (
        head + data + f"\r\n--{boundary}--\r\n".encode(),
        f"multipart/form-data; boundary={boundary}",
    )


def _stop_midway(body: bytes, stop: Callable[[], None]) -> Iterator[bytes]:
    """Send half of `body`, call `stop`, then send the rest."""
    half = len(body) // 2
    yield body[:half]
    stop()
    yield body[half:]


def _wait_for(condition: Callable[[], bool], timeout_s: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if condition():
                return True
        time.sleep(0.2)
    return False


def test_two_recycled_worker_processes_share_the_queue_and_run_each_job_once(
    tmp_path: Path,
) -> None:
    with (
        migrated_schema_url() as url,
        _stack(tmp_path, url) as (server, settings, token),
        _client(server, token) as client,
    ):
        supervised = {**settings, "ASKDOCS_WORKER__PROCESSES": "2", "ASKDOCS_WORKER__MAX_JOBS": "2"}
        with run_worker(tmp_path, supervised) as worker:
            accepted = [
                client.post(
                    "/api/v1/docs",
                    files={"file": (f"note-{n}.txt", f"Note {n}: locker {n * 11}.".encode())},
                )
                for n in range(8)
            ]
            versions = [settle(client, a.json()["status_url"]) for a in accepted]
            assert [v["status"] for v in versions] == ["ready"] * 8, worker.log()
            assert [v["attempts"] for v in versions] == [1] * 8
            worker.process.send_signal(signal.SIGTERM)
            assert worker.process.wait(timeout=60) == 0
        log = worker.log()
        # 8 jobs at 2 per process: at least 4 processes started, so at least 2 recycled.
        assert log.count('"worker_process_started"') >= 4, log
        assert log.count('"worker_process_exited"') >= 2, log
