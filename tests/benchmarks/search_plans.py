"""The hybrid search statement's plan at 1k, 10k and 100k chunks: `--only search-plans`.

The PostgreSQL 15 manual (about 10,900 chunks) is loaded into a schema made for the run, as
`--only manual` loads it; then copied nine times over under new document ids, for about
100,000 chunks (every term is then held by ten times the chunks, as in a corpus ten times the
size, though copies rank alike); then cut down to its first 110 pages, for about 1,000. At each
size, every question of manual.lua is planned and run under EXPLAIN ANALYZE through
PgVectorIndex.explain, and the table gives PostgreSQL's execution time and the rows the
full-text leg selected and ranked.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
from pathlib import Path

import asyncpg

from askdocs.application.ports.index import SearchQuery
from askdocs.entrypoints.container import build_container
from askdocs.entrypoints.settings import load_settings
from tests.benchmarks import manual, run
from tests.benchmarks.manual_corpus import bench_schema, ingest_into, manual_pages_or_say_why

COPIES = 9
SMALL_DOCUMENTS = 110  # ids are random: 861 and 992 chunks in two runs of 2026-12-06
_EXECUTION = re.compile(r"Execution Time: ([\d.]+) ms")
_TEXT_ROWS = re.compile(r"Bitmap Heap Scan on chunks \w+ \(actual time=[\d.]+\.\.[\d.]+ rows=(\d+)")
_QUESTION = re.compile(r'^  "(.*)",$', re.MULTILINE)


def main_with(args: argparse.Namespace) -> int:
    del args
    pages = manual_pages_or_say_why()
    if not pages:
        return 2
    print("\n".join(asyncio.run(session(pages))))
    return 0


async def session(pages: list[Path]) -> list[str]:
    questions = _QUESTION.findall(manual.LUA.read_text())
    lines = [
        f"EXPLAIN ANALYZE of the hybrid search, {len(questions)} questions of manual.lua, k 50",
        "| chunks | mean ms | p50 ms | max ms | text leg rows, mean | text leg rows, max |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    async with bench_schema() as url:
        with tempfile.TemporaryDirectory() as blobs:
            run.log(f"search-plans: ingesting {len(pages)} pages")
            await ingest_into(url, blobs, pages)
            connection = await asyncpg.connect(url)
            try:
                for resize in (None, _copy_documents, _keep_first_documents):
                    if resize is not None:
                        await resize(connection)
                    await connection.execute("VACUUM ANALYZE")
                    chunks = await connection.fetchval("SELECT count(*) FROM chunks")
                    run.log(f"search-plans: {chunks} chunks")
                    lines.append(await _explained(url, blobs, questions, chunks))
            finally:
                await connection.close()
    return lines


async def _explained(url: str, blobs: str, questions: list[str], chunks: int) -> str:
    settings = load_settings(
        {
            "ASKDOCS_DATABASE__URL": url,
            "ASKDOCS_DOCUMENTS__BLOB_DIR": blobs,
            "ASKDOCS_LOG__LEVEL": "WARNING",
        }
    )
    container = build_container(settings)
    index, embedder = container.index(), container.embedder()
    times, rows = [], []
    try:
        for question in questions:
            query = SearchQuery(
                text=question,
                embedding=await embedder.embed_query(question),
                embedding_model=embedder.model_id,
                k=50,
            )
            plan = await index.explain(query, analyze=True)
            executed = _EXECUTION.search(plan)
            selected = _TEXT_ROWS.search(plan)
            times.append(float(executed.group(1)) if executed else float("nan"))
            rows.append(int(selected.group(1)) if selected else 0)
    finally:
        await container.database().close()
    return (
        f"| {chunks:,} | {statistics.fmean(times):.1f} | {statistics.median(times):.1f} | "
        f"{max(times):.1f} | {statistics.fmean(rows):,.0f} | {max(rows):,} |"
    )


async def _copy_documents(connection: asyncpg.Connection) -> None:
    """Nine more of every live document, page and chunk, under ids ending `~n`."""
    for n in range(1, COPIES + 1):
        suffix = f"~{n}"
        async with connection.transaction():
            await connection.execute(
                "INSERT INTO live_documents SELECT document_id || $1, name, version, tags "
                "FROM live_documents WHERE document_id NOT LIKE '%~%'",
                suffix,
            )
            await connection.execute(
                "INSERT INTO live_pages SELECT document_id || $1, page_sha256, page_no "
                "FROM live_pages WHERE document_id NOT LIKE '%~%'",
                suffix,
            )
            await connection.execute(
                "INSERT INTO chunks SELECT embedding_model, id || $1, document_id || $1, "
                "page_sha256, ordinal, text, token_count, embedding, tsv, section, lexicon "
                "FROM chunks WHERE document_id NOT LIKE '%~%'",
                suffix,
            )
        run.log(f"search-plans: copy {n} of {COPIES} made")


async def _keep_first_documents(connection: asyncpg.Connection) -> None:
    """Only the first documents of the original manual, by id order, and their chunks."""
    async with connection.transaction():
        kept = await connection.fetch(
            "SELECT document_id FROM live_documents WHERE document_id NOT LIKE '%~%' "
            "ORDER BY document_id LIMIT $1",
            SMALL_DOCUMENTS,
        )
        ids = [row["document_id"] for row in kept]
        await connection.execute("DELETE FROM chunks WHERE NOT document_id = ANY($1)", ids)
        await connection.execute("DELETE FROM live_documents WHERE NOT document_id = ANY($1)", ids)
