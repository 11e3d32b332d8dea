"""`askdocs eval --database-url`: the evaluation runs on PostgreSQL in a schema of its own."""

from __future__ import annotations

import json
from pathlib import Path

import asyncpg
import pytest

from askdocs.entrypoints.cli.eval_database import SCHEMA_PREFIX, scoped_url
from askdocs.entrypoints.cli.evaluate import Mode, evaluate
from askdocs.entrypoints.cli.golden import GoldenFileError, load_golden
from askdocs.entrypoints.cli.main import main
from tests.support.postgres import ensure_test_database, postgres_url

PAGES = {
    "kitchen/pans.html": "<html><body><h1>Cast iron</h1><p>Cast iron pans must be dried "
    "immediately after washing to prevent rust.</p></body></html>",
    "kitchen/bread.html": "<html><body><h1>Sourdough</h1><p>A sourdough starter needs feeding "
    "with flour and water every day.</p></body></html>",
    "garden/tomatoes.txt": "Tomato seedlings are hardened off outdoors for a week before "
    "planting them in the vegetable bed.",
}
CASES = [
    {"question": "How do I stop my cast iron pan from rusting?", "document": "kitchen/pans.html"},
    {"question": "What does a sourdough starter need?", "document": "kitchen/bread.html"},
    {"question": "How long are tomato seedlings hardened off?", "document": "garden/tomatoes.txt"},
]


@pytest.fixture
async def database_url() -> str:
    url: str = postgres_url()
    await ensure_test_database(url)
    return url


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    for name, text in PAGES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.fixture
def golden(tmp_path: Path) -> Path:
    path = tmp_path / "set.jsonl"
    lines = (json.dumps({"page": None, "expected_answer": "a", **case}) for case in CASES)
    path.write_text("\n".join(lines) + "\n")
    return path


async def evaluation_schemas(url: str) -> set[str]:
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)", SCHEMA_PREFIX
        )
    finally:
        await connection.close()
    return {row["nspname"] for row in rows}


@pytest.mark.parametrize("mode", ["text", "hybrid"])
async def test_each_question_finds_its_page_on_postgres_and_the_schema_is_dropped(
    database_url: str, corpus: Path, golden: Path, mode: Mode
) -> None:
    evaluation = await evaluate(
        load_golden(golden),
        corpus_root=corpus,
        files=sorted(PAGES),
        mode=mode,
        database_url=database_url,
    )

    assert evaluation.settings.index.backend == "postgres"
    assert evaluation.chunks == 3
    assert evaluation.report.recall[1] == 1.0
    used = evaluation.settings.database.url.partition("search_path=")[2].split(",")[0]
    assert used.startswith(SCHEMA_PREFIX)
    assert used not in await evaluation_schemas(database_url)


async def test_a_refused_file_still_drops_the_schema(
    database_url: str, corpus: Path, golden: Path
) -> None:
    (corpus / "empty.txt").write_text("")
    before = await evaluation_schemas(database_url)

    with pytest.raises(GoldenFileError, match=r"empty\.txt was refused"):
        await evaluate(
            load_golden(golden),
            corpus_root=corpus,
            files=[*sorted(PAGES), "empty.txt"],
            database_url=database_url,
        )

    assert await evaluation_schemas(database_url) <= before


def test_the_command_prints_the_postgres_report(
    database_url: str, corpus: Path, golden: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(
        ["eval", str(golden), "--corpus-root", str(corpus), "--database-url", database_url]
    )

    out = capsys.readouterr().out
    assert status == 0
    assert "3 questions over 3 files" in out
    assert "postgres index, mode hybrid" in out
    assert "recall@5   1.000" in out


def test_a_url_with_a_query_gets_the_search_path_as_one_more_parameter() -> None:
    assert (
        scoped_url("postgresql://h/db", "eval_1") == "postgresql://h/db?search_path=eval_1,public"
    )
    assert (
        scoped_url("postgresql://h/db?sslmode=disable", "eval_1")
        == "postgresql://h/db?sslmode=disable&search_path=eval_1,public"
    )
