"""1M chunks: ingestion, HNSW build, memory and search at the defaults (ADR 38).

Texts are made from the Python manual's passages (tests/benchmarks/vectors.py's 40-word
windows): chunk i joins the first half of one passage to the second half of another, drawn at
random, so a million texts are distinct and read like the manual. Their vectors come from
`HashingEmbedder` (384-d; no model, quick to make on two cores); the queries are the dataset's
1,000 query sentences, embedded the same way. The chunks are written with binary COPY straight
into `chunks` of a throwaway migrated schema (no full-text terms: the searches are vector-only),
published as 10,000 documents of 100 chunks (pages of 10) with SQL, then `VACUUM ANALYZE`.

For each HNSW type asked: the adapter's index DDL is timed with the maintenance_work_mem given,
while the resident memory (VmRSS) of the building backend and its parallel workers is sampled;
then `PgVectorIndex.search` is measured as in vector_frontier.py (p50/p99 one at a time, QPS
and CPU per search with 4 searchers, recall@10 against numpy's exact top 10 over the same
vectors).
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import hashlib
import os
import time

import numpy as np

from askdocs.adapters.embeddings.hashing import HashingEmbedder
from askdocs.adapters.index import pg_sql
from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.application.ports.index import SearchQuery
from tests.benchmarks import vectors
from tests.benchmarks.vector_frontier import Point, frontier_point, on_uvloop, table
from tests.benchmarks.vector_index import exact_top, execute, log, schema

MODEL = "hashing-v1-384"
DIM = 384
DOC_CHUNKS, PAGE_CHUNKS = 100, 10


def texts(passages: list[str], count: int) -> list[str]:
    rng = np.random.default_rng(1_000_000)
    first = rng.integers(0, len(passages), count)
    second = rng.integers(0, len(passages), count)
    halves = [
        (words[: len(words) // 2], words[len(words) // 2 :])
        for words in (p.split() for p in passages)
    ]
    return [" ".join(halves[a][0] + halves[b][1]) for a, b in zip(first, second, strict=True)]


def embed_part(part: list[str]) -> np.ndarray:
    embedder = HashingEmbedder(DIM)
    return np.asarray(asyncio.run(embedder.embed_documents(part)), dtype=np.float32)


def embed(all_texts: list[str], processes: int) -> np.ndarray:
    parts = [all_texts[start : start + 20_000] for start in range(0, len(all_texts), 20_000)]
    with concurrent.futures.ProcessPoolExecutor(processes) as pool:
        return np.concatenate(list(pool.map(embed_part, parts)))


def page_of(n: int) -> tuple[str, str, int]:
    document = f"d{n // DOC_CHUNKS:06d}"
    page_no = n % DOC_CHUNKS // PAGE_CHUNKS + 1
    return document, hashlib.sha256(f"{document}/{page_no}".encode()).hexdigest(), page_no


async def copy_in(database: PostgresDatabase, chunk_texts: list[str], matrix: np.ndarray) -> float:
    columns = (
        *("embedding_model", "id", "document_id", "page_sha256", "ordinal", "text"),
        *("token_count", "embedding"),
    )
    started = time.perf_counter()
    async with database.connection() as connection:
        for start in range(0, len(chunk_texts), 50_000):
            records = []
            for n in range(start, min(start + 50_000, len(chunk_texts))):
                document, sha, _ = page_of(n)
                text = chunk_texts[n]
                records.append(
                    (
                        MODEL,
                        f"c{n:07d}",
                        document,
                        sha,
                        n % DOC_CHUNKS,
                        text,
                        len(text.split()),
                        matrix[n],
                    )
                )
            await connection.copy_records_to_table(
                "chunks", records=records, columns=columns, timeout=3600
            )
    return time.perf_counter() - started


PUBLISH = """
INSERT INTO live_documents (document_id, name, version, tags)
SELECT DISTINCT document_id, document_id, 1, '{}'::text[] FROM chunks;
INSERT INTO live_pages (document_id, page_sha256, page_no)
SELECT DISTINCT document_id, page_sha256, ordinal / 10 + 1 FROM chunks;
"""


async def build(database: PostgresDatabase, ddl: str, memory: str) -> tuple[float, float]:
    """(seconds, peak MiB of VmRSS summed over the building backend and its workers)."""
    peak = 0.0
    async with database.connection() as builder, database.connection() as watcher:
        pid = await builder.fetchval("SELECT pg_backend_pid()")
        await builder.execute(f"SET maintenance_work_mem = '{memory}'")
        started = time.perf_counter()
        task = asyncio.ensure_future(builder.execute(ddl, timeout=7200))
        while not task.done():
            workers = await watcher.fetch(
                "SELECT pid FROM pg_stat_activity WHERE leader_pid = $1", pid
            )
            peak = max(peak, sum(rss_mib(p) for p in [pid, *(r["pid"] for r in workers)]))
            await asyncio.wait([task], timeout=0.5)
        await task
        elapsed = time.perf_counter() - started
        await builder.execute("RESET maintenance_work_mem")
    return elapsed, peak


def rss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


async def run(args: argparse.Namespace) -> str:
    passages, _, questions = vectors.build_texts()
    count = args.chunks
    log(f"[{count}] making texts and hashing vectors ...")
    started = time.perf_counter()
    chunk_texts = texts(passages, count)
    matrix = embed(chunk_texts, processes=2)
    made_s = time.perf_counter() - started
    embedder = HashingEmbedder(DIM)
    query_matrix = np.asarray(await embedder.embed_documents(questions), dtype=np.float32)
    q = args.million_queries
    queries = [
        SearchQuery(text="", embedding=query_matrix[i], embedding_model=MODEL, k=10)
        for i in range(q)
    ]
    top = exact_top(matrix, query_matrix[:q], 10)
    expected = [{f"c{row:07d}" for row in rows} for rows in top]
    points: list[Point] = []
    notes = [f"texts and vectors made in {made_s:.0f} s (2 processes)"]
    async with schema() as database:
        log(f"[{count}] COPY ...")
        copy_s = await copy_in(database, chunk_texts, matrix)
        publish_s = await execute(database, PUBLISH)
        vacuum_s = await execute(database, "VACUUM ANALYZE chunks, live_pages, live_documents")
        async with database.connection() as connection:
            heap = await connection.fetchval("SELECT pg_table_size('chunks')")
        notes.append(
            f"COPY {copy_s:.0f} s ({count / copy_s:,.0f} chunks/s), publish {publish_s:.0f} s, "
            f"VACUUM ANALYZE {vacuum_s:.0f} s; chunks table {heap / 2**30:.2f} GiB"
        )
        log(f"    {notes[-1]}")
        name = pg_sql.index_name(MODEL)
        for hnsw_type in args.million_types:
            ddl = pg_sql.create_index(MODEL, DIM, hnsw_type, m=16, ef_construction=64)
            log(f"[{count}] {hnsw_type}: building (maintenance_work_mem {args.build_memory}) ...")
            build_s, peak = await build(database, ddl, args.build_memory)
            async with database.connection() as connection:
                size = await connection.fetchval("SELECT pg_relation_size($1::regclass)", name)
            await execute(database, "ANALYZE chunks")
            notes.append(
                f"{hnsw_type}: build {build_s:.0f} s (maintenance_work_mem {args.build_memory}), "
                f"index {size / 2**20:,.0f} MiB, the build's peak VmRSS {peak:,.0f} MiB"
            )
            log(f"    {notes[-1]}")
            for ef_search in args.million_ef_search:
                setup = f"{hnsw_type}, {count:,} chunks"
                points.append(
                    await frontier_point(
                        database, hnsw_type, ef_search, queries, expected, args, setup=setup
                    )
                )
                log(f"    {points[-1]}")
            await execute(database, f"DROP INDEX {name}")
    load = os.getloadavg()
    notes.append(f"load average at the end {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    return "\n".join(notes) + "\n\n" + table(points)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("1M chunks (--only million)")
    group.add_argument("--chunks", type=int, default=1_000_000)
    group.add_argument("--million-types", type=lambda t: t.split(","), default=["halfvec"])
    group.add_argument(
        "--million-ef-search", type=lambda t: [int(v) for v in t.split(",")], default=[40]
    )
    group.add_argument("--million-queries", type=int, default=1000)
    group.add_argument("--build-memory", default="4GB", help="maintenance_work_mem of the builds")


def main_with(args: argparse.Namespace) -> int:
    return on_uvloop(run(args))
