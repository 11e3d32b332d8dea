"""The API on the PostgreSQL adapters: incremental ingestion that leaves unchanged rows alone,
soft delete and restore without re-embedding, readiness, and a clear 503 when the database
is down or not migrated."""

from __future__ import annotations

from typing import Any

import pytest

from askdocs.adapters.postgres.database import PostgresDatabase
from tests.http.conftest import Api, StartApi
from tests.support.pdf import make_pdf

PAGES = [
    f"Section {n} of the field manual. The relay station number {n} sits on hill {n * 7}. "
    f"Its keeper checks the antenna every {n % 6 + 1} days."
    for n in range(1, 51)
]


@pytest.fixture
async def pg_api(start_api: StartApi, postgres: PostgresDatabase) -> Api:
    # Jobs wait in PostgreSQL; a worker inside the app takes them, as `askdocs worker` would.
    return await start_api(
        {"ASKDOCS_DATABASE__URL": postgres.url, "ASKDOCS_WORKER__IN_SERVE": "true"}
    )


async def chunk_rows(postgres: PostgresDatabase) -> dict[str, tuple[Any, ...]]:
    """chunk id -> (xmin, ctid): both change whenever PostgreSQL rewrites a row."""
    async with postgres.connection() as connection:
        rows = await connection.fetch("SELECT id, xmin::text, ctid::text FROM chunks")
    return {row["id"]: (row["xmin"], row["ctid"]) for row in rows}


async def test_the_app_selects_postgres_when_a_database_url_is_set(pg_api: Api) -> None:
    assert pg_api.container.config.documents.backend() == "postgres"
    assert pg_api.container.config.index.backend() == "postgres"
    response = await pg_api.client.get("/health/ready")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


async def test_a_one_page_edit_of_a_fifty_page_document_embeds_one_page_and_touches_no_other_row(
    pg_api: Api, postgres: PostgresDatabase
) -> None:
    first = await pg_api.upload_ok("manual.pdf", make_pdf(PAGES))
    before = await chunk_rows(postgres)
    edited = [*PAGES]
    edited[6] = "Section 7 was rewritten. The relay station seven moved to the lighthouse."

    second = await pg_api.upload_ok(
        "manual.pdf", make_pdf(edited), document_id=first["document_id"]
    )

    after = await chunk_rows(postgres)
    assert (second["version"], second["status"]) == (2, "ready")
    assert {cid: after[cid] for cid in before} == before  # old rows untouched, none removed
    added = sorted(set(after) - set(before))
    async with postgres.connection() as connection:
        pages = await connection.fetchval(
            "SELECT count(DISTINCT page_sha256) FROM chunks WHERE id = ANY($1::text[])", added
        )
    assert (len(added) >= 1, pages) == (True, 1)  # only the edited page was embedded
    reply = await pg_api.ask("Where did relay station seven move?")
    assert "lighthouse" in reply["answer"]
    assert reply["sources"][0]["version"] == 2
    assert reply["sources"][0]["page"] == 7


async def test_an_identical_reupload_writes_nothing(
    pg_api: Api, postgres: PostgresDatabase
) -> None:
    first = await pg_api.upload_ok("manual.pdf", make_pdf(PAGES[:5]))
    before = await chunk_rows(postgres)

    again = await pg_api.upload("manual.pdf", make_pdf(PAGES[:5]))

    assert again.status_code == 200
    assert (again.json()["document_id"], again.json()["version"]) == (
        first["document_id"],
        first["version"],
    )
    assert await chunk_rows(postgres) == before


async def test_soft_delete_hides_and_restore_returns_without_reembedding(
    pg_api: Api, postgres: PostgresDatabase
) -> None:
    body = await pg_api.upload_ok("manual.pdf", make_pdf(PAGES[:5]))
    before = await chunk_rows(postgres)
    question = "On which hill does relay station number 3 sit?"
    assert (await pg_api.ask(question))["sources"]

    deleted = await pg_api.client.delete(
        f"/api/v1/docs/{body['document_id']}", headers=pg_api.auth("editor")
    )
    hidden = await pg_api.ask(question)
    restored = await pg_api.client.post(
        f"/api/v1/docs/{body['document_id']}/restore", headers=pg_api.auth("editor")
    )
    back = await pg_api.ask(question)

    assert deleted.status_code == 204
    assert hidden["sources"] == []
    assert restored.status_code == 200
    assert back["sources"][0]["document_id"] == body["document_id"]
    assert back["sources"][0]["page"] == 3
    assert await chunk_rows(postgres) == before


async def test_a_database_that_is_down_gives_503_problems_and_an_unready_service(
    start_api: StartApi, problem: Any, handbook: Any
) -> None:
    api = await start_api({"ASKDOCS_DATABASE__URL": "postgresql://postgres@127.0.0.1:1/none"})

    ready = await api.client.get("/health/ready")
    upload = await api.upload(handbook.name, handbook.pdf)
    listing = await api.client.get("/api/v1/docs", headers=api.auth("reader"))

    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] == "unavailable"
    problem(upload, 503)
    problem(listing, 503)


async def test_a_database_never_migrated_gives_503_problems_that_say_to_run_askdocs_migrate(
    start_api: StartApi, unmigrated_postgres: PostgresDatabase, problem: Any, handbook: Any
) -> None:
    api = await start_api({"ASKDOCS_DATABASE__URL": unmigrated_postgres.url})

    document = await api.client.get("/api/v1/docs/d1", headers=api.auth("reader"))
    upload = await api.upload(handbook.name, handbook.pdf)

    for response in (document, upload):
        assert "askdocs migrate" in problem(response, 503)["detail"]
        assert "does not exist" not in response.text  # PostgreSQL's own words stay in the log


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/docs?offset=9223372036854775808", None),
        ("GET", "/api/v1/docs?q=a%00b", None),
        ("PATCH", "/api/v1/docs/d1", {"name": "a\u0000b"}),
        ("POST", "/api/v1/feedback", {"trace_id": "0" * 32, "rating": "up", "comment": "\u0000"}),
    ],
)
async def test_hostile_values_answer_as_on_the_memory_backend_without_database_text(
    pg_api: Api, api: Api, method: str, path: str, body: Any
) -> None:
    answers = [
        await app.client.request(method, path, json=body, headers=app.auth("admin"))
        for app in (pg_api, api)
    ]

    assert [a.status_code for a in answers] == [422, 422]
    assert answers[0].json() == answers[1].json()
    assert "asyncpg" not in answers[0].text
    assert "invalid byte sequence" not in answers[0].text
