"""Several embedding models side by side, on both indexes: a model that fails while a document
is ingested is backfilled later; questions go to the first model that covers the corpus and
answers, else to the words alone with a warning; a dropped model leaves nothing behind."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from dependency_injector import providers

from askdocs import Askdocs
from askdocs.adapters.index import pg_sql
from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.application.backfill_embeddings import BackfillProgress
from askdocs.application.embedding_models import TEXT_ONLY
from askdocs.application.ports import SearchQuery
from askdocs.entrypoints.cli.main import main
from tests.support.postgres import migrated_schema
from tests.support.switchable_embedder import SwitchableEmbedder

MANUAL = (
    b"# Care of the device\n\n"
    b"To reset the device, hold the reset button for ten seconds.\n\n"
    b"The battery lasts about forty hours between charges.\n\n"
    b"Clean the lens with a dry microfibre cloth, never with alcohol.\n\n"
    b"The warranty covers manufacturing faults for two years.\n"
)


@pytest.fixture(params=["memory", "postgres"])
async def settings(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[dict]:
    if request.param == "memory":
        yield {"cache__backend": "disabled", "embedder__coverage_ttl_s": 0}
        return
    async for database in migrated_schema():
        yield {
            "database__url": database.url,
            "documents__blob_dir": str(tmp_path),
            "cache__backend": "disabled",
            "embedder__coverage_ttl_s": 0,
        }


def using(askdocs: Askdocs, *models: SwitchableEmbedder) -> Askdocs:
    """`askdocs` with `models`, most preferred first, in place of the configured ones, as a
    restart with other settings would have them (its index and documents kept)."""
    container = askdocs.container
    container.embedders.override(providers.Object(models))
    for holding_them in (
        container.embedding_models,
        container.retrieve_passages,
        container.ask_question,
        container.process_ingestion,
        container.ingest_document,
        container.backfill_embeddings,
    ):
        holding_them.reset()
    return askdocs


async def test_a_model_added_later_is_backfilled_preferred_failed_over_and_dropped(
    settings: dict,
) -> None:
    first, added = SwitchableEmbedder(128), SwitchableEmbedder(256)
    async with Askdocs(**settings) as askdocs:
        await using(askdocs, first).ingest(MANUAL, filename="manual.md")
        index = askdocs.container.index()
        live = (await index.coverage()).live_chunks

        using(askdocs, first, added)
        progress: list[BackfillProgress] = []
        done = await askdocs.container.backfill_embeddings().execute(
            added, progress=progress.append
        )
        assert (done.embedded, progress[-1].remaining) == (live, 0)
        assert (await index.coverage()).covers(added.model_id)

        using(askdocs, added, first)  # the preference switched
        switched = await askdocs.ask("How long does the battery last?")
        assert (added.questions_embedded, first.questions_embedded) == (1, 0)
        assert "forty hours" in switched.sources[0].text

        first.down = True
        still = await askdocs.ask("How should I clean the lens?")
        added.down = True
        by_words = await askdocs.ask("What does the warranty cover?")
        assert (added.questions_embedded, still.warnings) == (2, ())
        assert "microfibre" in still.sources[0].text
        assert by_words.warnings == (TEXT_ONLY,)
        assert "two years" in by_words.sources[0].text

        assert await index.drop_model(first.model_id) == live
        assert set((await index.coverage()).by_model) == {added.model_id}


async def test_a_model_that_failed_at_ingestion_is_backfilled_then_preferred(
    settings: dict,
) -> None:
    preferred, fallback = SwitchableEmbedder(256), SwitchableEmbedder(128)
    async with Askdocs(**settings) as askdocs:
        using(askdocs, preferred, fallback)
        container = askdocs.container
        preferred.down = True
        document = await askdocs.ingest(MANUAL, filename="manual.md")
        assert document.versions[-1].status.value == "ready"
        coverage = await container.index().coverage()
        assert coverage.covers(fallback.model_id)
        assert not coverage.covers(preferred.model_id)

        preferred.down = False
        before = await askdocs.ask("How do I reset the device?")
        assert (preferred.questions_embedded, fallback.questions_embedded) == (0, 1)
        assert before.warnings == ()
        assert "ten seconds" in before.sources[0].text

        embedded = await container.keep_embeddings_complete().once()
        assert embedded == preferred.texts_embedded > 0
        assert (await container.index().coverage()).covers(preferred.model_id)

        after = await askdocs.ask("How long does the battery last?")
        assert (preferred.questions_embedded, fallback.questions_embedded) == (1, 1)
        assert "forty hours" in after.sources[0].text

        preferred.down = True
        failed_over = await askdocs.ask("How should I clean the lens?")
        assert (preferred.questions_embedded, fallback.questions_embedded) == (1, 2)
        assert failed_over.warnings == ()
        assert "microfibre" in failed_over.sources[0].text

        fallback.down = True
        by_words = await askdocs.ask("What does the warranty cover?")
        assert by_words.warnings == (TEXT_ONLY,)
        assert "two years" in by_words.sources[0].text


async def test_a_dropped_model_leaves_no_chunk_and_no_search(settings: dict) -> None:
    kept, dropped = SwitchableEmbedder(256), SwitchableEmbedder(128)
    async with Askdocs(**settings) as askdocs:
        using(askdocs, kept, dropped)
        await askdocs.ingest(MANUAL, filename="manual.md")
        index = askdocs.container.index()
        removed = await index.drop_model(dropped.model_id)
        query = SearchQuery(
            text="reset the device",
            embedding=await dropped.embed_query("reset the device"),
            embedding_model=dropped.model_id,
        )
        assert removed > 0
        assert await index.search(query) == []
        assert set((await index.coverage()).by_model) == {kept.model_id}
        if "database__url" in settings:
            database = askdocs.container.database()
            async with database.connection() as connection:
                rows = await connection.fetchval(
                    "SELECT count(*) FROM chunks WHERE embedding_model = $1", dropped.model_id
                )
                indexes = await connection.fetchval(
                    "SELECT count(*) FROM pg_indexes WHERE indexname = $1",
                    pg_sql.index_name(dropped.model_id),
                )
            assert (rows, indexes) == (0, 0)


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """The process environment without ASKDOCS_* variables, blobs under tmp_path."""
    copy = {k: v for k, v in os.environ.items() if not k.startswith("ASKDOCS_")}
    copy["ASKDOCS_DOCUMENTS__BLOB_DIR"] = str(tmp_path / "blobs")
    copy["ASKDOCS_METRICS__BACKEND"] = "noop"
    copy["ASKDOCS_CACHE__BACKEND"] = "disabled"
    monkeypatch.setattr(os, "environ", copy)
    return copy


def askdocs_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out.splitlines(), err


async def ingest_manual() -> None:
    async with Askdocs.from_env() as askdocs:
        await askdocs.ingest(MANUAL, filename="manual.md")


async def model_asked(question: str) -> tuple[str, str]:
    """The model a question is embedded with, and the best passage's text."""
    async with Askdocs.from_env() as askdocs:
        embedded = await askdocs.container.embedding_models().embed_question(question)
        answer = await askdocs.ask(question)
    return embedded.model, answer.sources[0].text


def test_a_model_added_later_is_reembedded_by_the_command_then_preferred(
    postgres: PostgresDatabase, environment: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    small, big = "hashing-v1-128", "hashing-v1-256"
    environment["ASKDOCS_DATABASE__URL"] = postgres.url
    environment["ASKDOCS_EMBEDDER__MODELS"] = "small"
    environment["ASKDOCS_EMBEDDER__SMALL__DIM"] = "128"
    asyncio.run(ingest_manual())
    environment["ASKDOCS_EMBEDDER__MODELS"] = "small,big"
    environment["ASKDOCS_EMBEDDER__BIG__DIM"] = "256"

    _, before, _ = askdocs_cli(capsys, "reembed", "--list")
    assert asyncio.run(model_asked("How do I reset the device?"))[0] == small
    status, done, progress = askdocs_cli(capsys, "reembed", "--model", "big")
    _, after, _ = askdocs_cli(capsys, "reembed", "--list")
    environment["ASKDOCS_EMBEDDER__MODELS"] = "big,small"
    model, passage = asyncio.run(model_asked("How long does the battery last?"))

    live = int(before[0].removeprefix("live chunks: "))
    assert live > 0
    assert f"{big}: 0 of {live} (embedder.models: big)" in before
    assert status == 0
    assert done == [f"{big}: {live} chunks embedded; it covers every live chunk"]
    assert f"{big}: {live} embedded, 0 to go" in progress
    assert f"{big}: {live} of {live} (embedder.models: big)" in after
    assert (model, "forty hours" in passage) == (big, True)

    refused, _, why = askdocs_cli(capsys, "reembed", "--drop", big)
    environment["ASKDOCS_EMBEDDER__MODELS"] = "big"
    del environment["ASKDOCS_EMBEDDER__SMALL__DIM"]
    dropped, said, _ = askdocs_cli(capsys, "reembed", "--drop", small)
    _, left, _ = askdocs_cli(capsys, "reembed", "--list")

    assert refused == 2
    assert "is configured (big)" in why
    assert (dropped, said) == (0, [f"{small}: {live} chunks and its search index removed"])
    assert left == [f"live chunks: {live}", f"{big}: {live} of {live} (embedder.models: big)"]
