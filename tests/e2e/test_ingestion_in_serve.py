"""The one-machine path on PostgreSQL: `serve` ingests by itself; and `askdocs ingest` says what
to do when nothing takes its jobs (a server told not to ingest, and no worker yet)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from askdocs.application.api_keys import new_token
from askdocs.domain.principals import token_digest
from askdocs.entrypoints.cli import client as cli_client
from tests.e2e.conftest import migrated_schema_url, run_server, run_worker, settle
from tests.support.pdf import make_pdf

HINT_DEADLINE_S = 60.0


def _settings(database_url: str, token: str, **extra: str) -> dict[str, str]:
    return {
        "ASKDOCS_DATABASE__URL": database_url,
        "ASKDOCS_DATABASE__POOL_MAX_SIZE": "4",
        "ASKDOCS_AUTH__API_KEYS": f"{token_digest(token)}:editor",
        **extra,
    }


def test_serve_on_postgres_ingests_an_upload_with_no_worker_process(tmp_path: Path) -> None:
    token = new_token()
    with (
        migrated_schema_url() as url,
        run_server(tmp_path, _settings(url, token)) as server,
        httpx.Client(base_url=server.url, headers={"X-API-Key": token}, timeout=30) as client,
    ):
        uploaded = client.post(
            "/api/v1/docs", files={"file": ("ferry.pdf", make_pdf(["The ferry sails at noon."]))}
        )
        assert uploaded.status_code == 202, uploaded.text

        assert settle(client, uploaded.json()["status_url"])["status"] == "ready"


def test_ingest_hints_at_the_missing_worker_once_and_finishes_when_one_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    token = new_token()
    monkeypatch.setattr(cli_client, "IDLE_QUEUE_HINT_AFTER_S", 0.0)
    monkeypatch.setenv("ASKDOCS_API_KEY", token)
    document = tmp_path / "ferry.txt"
    document.write_text("The ferry sails at noon from the north pier.", encoding="utf-8")
    with migrated_schema_url() as url:
        settings = _settings(url, token, ASKDOCS_WORKER__IN_SERVE="false")
        with run_server(tmp_path, settings) as server:
            statuses: list[int] = []
            ingesting = threading.Thread(
                target=lambda: statuses.append(
                    cli_client.ingest(server.url, [str(document)], tags="")
                )
            )
            ingesting.start()
            errors = ""
            deadline = time.monotonic() + HINT_DEADLINE_S
            while "askdocs worker" not in errors and time.monotonic() < deadline:
                time.sleep(0.1)
                errors += capsys.readouterr().err
            assert "no upload has left the queue" in errors

            with run_worker(tmp_path, settings):
                ingesting.join(HINT_DEADLINE_S)

    assert statuses == [0]
    errors += capsys.readouterr().err
    assert errors.count("no upload has left the queue") == 1
