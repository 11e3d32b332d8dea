"""`askdocs health` and `askdocs db status` against a real PostgreSQL: one line per check,
exit 0 only when everything the settings select answers."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.adapters.postgres.migrations import shipped_migrations
from askdocs.application.change_document import DocumentChange
from askdocs.application.ingest_document import Upload
from askdocs.domain.principals import Principal, Role
from askdocs.entrypoints.cli.main import main
from askdocs.entrypoints.container import build_container
from askdocs.entrypoints.infrastructure import services_closed_after
from askdocs.entrypoints.settings import load_settings
from tests.support.redis import DEAD_URL

EDITOR = Principal(subject="alice", role=Role.EDITOR)
MIGRATIONS = len(shipped_migrations())


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """The process environment without ASKDOCS_* variables, blobs under tmp_path."""
    copy = {k: v for k, v in os.environ.items() if not k.startswith("ASKDOCS_")}
    copy["ASKDOCS_DOCUMENTS__BLOB_DIR"] = str(tmp_path / "blobs")
    copy["ASKDOCS_METRICS__BACKEND"] = "noop"
    monkeypatch.setattr(os, "environ", copy)
    return copy


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out.splitlines(), err


def test_health_on_a_migrated_database_is_ok(postgres: PostgresDatabase, environment, capsys):
    environment["ASKDOCS_DATABASE__URL"] = postgres.url

    status, lines, _ = run(capsys, "health")

    assert status == 0
    assert {"database: ok", "migrations: ok", "llm providers: extractive"} <= set(lines)
    assert lines[-1] == "status: ok"


def test_health_with_migrations_pending_is_unavailable_and_says_what_to_run(
    unmigrated_postgres: PostgresDatabase, environment, capsys
):
    environment["ASKDOCS_DATABASE__URL"] = unmigrated_postgres.url

    status, lines, _ = run(capsys, "health")

    assert status == 1
    assert f"migrations: {MIGRATIONS} pending: run `askdocs migrate`" in lines
    assert lines[-1] == "status: unavailable"


def test_health_with_redis_down_is_degraded_with_status_1(environment, capsys):
    environment["ASKDOCS_REDIS__URL"] = DEAD_URL

    status, lines, _ = run(capsys, "health")

    assert status == 1
    assert "redis: unavailable" in lines
    assert "documents: memory" in lines
    assert lines[-1] == "status: degraded"


def test_health_with_a_provider_lacking_its_models_is_one_line_and_status_2(environment, capsys):
    environment["ASKDOCS_LLM__PROVIDERS"] = "openai,extractive"

    status, lines, err = run(capsys, "health")

    assert status == 2
    assert lines == []
    assert err == (
        "askdocs health: LLM provider openai needs its models: ASKDOCS_LLM__OPENAI__MODELS\n"
    )


def test_health_of_a_server_nobody_listens_on_is_one_line_and_status_1(environment, capsys):
    status, lines, err = run(capsys, "health", "--url", "http://127.0.0.1:1")

    assert status == 1
    assert lines == []
    assert err.startswith("askdocs health: http://127.0.0.1:1 could not be reached")
    assert err.count("\n") == 1


def test_db_status_counts_migrations_jobs_and_documents(
    postgres: PostgresDatabase, environment, capsys
):
    environment["ASKDOCS_DATABASE__URL"] = postgres.url
    environment["ASKDOCS_WORKER__IN_SERVE"] = "false"

    async def upload_two() -> None:
        container = build_container(load_settings(environment))
        async with services_closed_after(container):
            submit = container.submit_document()
            await submit.execute(Upload(b"The ferry sails at noon.", "ferry.txt", EDITOR))
            second = await submit.execute(Upload(b"The bus leaves at one.", "bus.txt", EDITOR))
            await container.change_document().execute(
                second.document.id, DocumentChange(action="delete")
            )

    asyncio.run(upload_two())

    status, lines, _ = run(capsys, "db", "status")

    assert status == 0
    assert lines == [
        f"migrations: {MIGRATIONS} applied, 0 pending",
        "jobs: queued 2",
        "documents: deleted 1, queued 1",
    ]


def test_db_status_of_an_unmigrated_database_lists_what_is_pending(
    unmigrated_postgres: PostgresDatabase, environment, capsys
):
    environment["ASKDOCS_DATABASE__URL"] = unmigrated_postgres.url

    status, lines, _ = run(capsys, "db", "status")

    assert status == 0
    assert lines[0] == f"migrations: 0 applied, {MIGRATIONS} pending"
    assert lines[1].startswith("  pending: 0001_")
    assert lines[2:] == ["jobs: none", "documents: none"]


def test_db_status_without_a_database_is_one_line_and_status_2(environment, capsys):
    status, lines, err = run(capsys, "db", "status")

    assert status == 2
    assert lines == []
    assert err == "askdocs db status: set ASKDOCS_DATABASE__URL to a PostgreSQL URL\n"
