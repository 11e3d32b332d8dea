"""`log.file` with several processes: `askdocs serve --workers 2` and `askdocs worker` with two
worker processes each write one file per process, named by role and pid."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import migrated_schema_url, run_server, run_worker

pytestmark = pytest.mark.e2e

START_TIMEOUT_S = 60.0


def _events_by_pid(logs: Path, stem: str, role: str, suffix: str) -> dict[int, list[dict]]:
    """The JSON lines of each `<stem>-<role>-<pid>-<day><suffix>` file, by pid."""
    name = re.compile(rf"{stem}-{role}-(?P<pid>\d+)-\d{{4}}-\d{{2}}-\d{{2}}{re.escape(suffix)}")
    return {
        int(m["pid"]): [json.loads(line) for line in path.read_text().splitlines()]
        for path in logs.iterdir()
        if (m := name.fullmatch(path.name))
    }


def _names(events: list[dict]) -> set[str]:
    return {line["event"] for line in events}


def test_each_server_process_writes_its_own_file_and_stderr_keeps_the_lines(
    tmp_path: Path,
) -> None:
    logs = tmp_path / "logs"
    with run_server(tmp_path, {"ASKDOCS_LOG__FILE": f"{logs}/"}, ("--workers", "2")) as server:
        headers = {"X-API-Key": server.admin_key or "", "X-Request-ID": "files-e2e-1"}
        assert httpx.get(f"{server.url}/api/v1/docs", headers=headers).status_code == 200
        master_pid = server.process.pid
    events = _events_by_pid(logs, "askdocs", "serve", ".log")

    assert len(events) == 3, sorted(path.name for path in logs.iterdir())
    assert master_pid in events
    assert all("askdocs_configured" in _names(lines) for lines in events.values())
    served_by = [pid for pid, lines in events.items() if any(
        line.get("request_id") == "files-e2e-1" for line in lines)]  # fmt: skip
    assert len(served_by) == 1
    assert served_by[0] != master_pid
    assert "files-e2e-1" in server.log()


def test_the_worker_supervisor_and_each_worker_process_write_their_own_files(
    tmp_path: Path,
) -> None:
    logs = tmp_path / "logs"
    with migrated_schema_url() as url:
        settings = {
            "ASKDOCS_DATABASE__URL": url,
            "ASKDOCS_WORKER__PROCESSES": "2",
            "ASKDOCS_LOG__FILE": str(logs / "ingest.jsonl"),
        }
        with run_worker(tmp_path, settings) as worker:
            deadline = time.monotonic() + START_TIMEOUT_S
            # stderr has the lines too, whole; a file may be read in the middle of one
            while time.monotonic() < deadline and worker.process.poll() is None:
                if worker.log().count('"worker_started"') == 2:
                    break
                time.sleep(0.2)
            supervisor_pid = worker.process.pid
    events = _events_by_pid(logs, "ingest", "worker", ".jsonl")

    children = {line["pid"] for line in events.pop(supervisor_pid)
                if line["event"] == "worker_process_started"}  # fmt: skip
    assert len(children) == 2
    assert set(events) == children
    for lines in events.values():
        assert {"worker_started", "worker_stopped"} <= _names(lines)
