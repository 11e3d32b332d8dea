"""`askdocs serve --workers 2` with `log.file`: each server process writes its own file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import run_server

pytestmark = pytest.mark.e2e

FILE_NAME = re.compile(r"askdocs-serve-(?P<pid>\d+)-\d{4}-\d{2}-\d{2}\.log")


def test_each_server_process_writes_its_own_file_and_stderr_keeps_the_lines(
    tmp_path: Path,
) -> None:
    logs = tmp_path / "logs"
    with run_server(tmp_path, {"ASKDOCS_LOG__FILE": f"{logs}/"}, ("--workers", "2")) as server:
        headers = {"X-API-Key": server.admin_key or "", "X-Request-ID": "files-e2e-1"}
        assert httpx.get(f"{server.url}/api/v1/docs", headers=headers).status_code == 200
        master_pid = server.process.pid
    files = {
        int(m["pid"]): path for path in logs.iterdir() if (m := FILE_NAME.fullmatch(path.name))
    }
    events = {
        pid: [json.loads(line) for line in path.read_text().splitlines()]
        for pid, path in files.items()
    }

    assert len(files) == 3, sorted(path.name for path in logs.iterdir())
    assert master_pid in files
    configured = [pid for pid, lines in events.items() if any(
        line["event"] == "askdocs_configured" for line in lines)]  # fmt: skip
    assert sorted(configured) == sorted(files)
    served_by = [pid for pid, lines in events.items() if any(
        line.get("request_id") == "files-e2e-1" for line in lines)]  # fmt: skip
    assert len(served_by) == 1
    assert served_by[0] != master_pid
    assert "files-e2e-1" in server.log()
