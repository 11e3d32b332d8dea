"""Vector search frontier: QPS against recall@10 for each HNSW type and ef_search (ADR 38).

The 100k real MiniLM vectors of tests/benchmarks/vectors.py, loaded and published as
vector_index.py does (1,000 documents of 100 chunks; one document in 100 tagged `one-percent`,
one in 10 `ten-percent`). Then, for each HNSW type (`vector`, `halfvec`, `bit` with the walk's
rows re-ranked by the full vectors), the adapter's own index DDL is built (m 16,
ef_construction 64, maintenance_work_mem 1 GB) and, for each ef_search, `PgVectorIndex.search`
is measured as a chat calls it: a pool of 4 whose connections start with the search settings,
vector-only queries (k 10):
- p50/p99 of 1,000 searches one at a time, and recall@10 against numpy's exact top 10;
- QPS of 4 concurrent searchers on that pool, with the CPU each side spent per search: the
  client process (`time.process_time`) and the pool's 4 PostgreSQL backends (utime + stime of
  /proc/PID/stat), so the cost per core is known however busy the machine is;
- PostgreSQL's own execution time (the median `Execution Time` of EXPLAIN ANALYZE over 50
  searches).
Filtered searches walk the graph with iterative scans: the 10 % tag (above the exact-path
threshold, so the adapter's choice) and the 1 % tag forced onto the graph.

`python -m tests.benchmarks.run --only frontier` runs it on uvloop, as `askdocs serve` does.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import re
import time
from collections.abc import AsyncIterator, Coroutine, Sequence

import numpy as np

from askdocs.adapters.index import pg_sql
from askdocs.adapters.index.pg_search_sql import search_session_settings
from askdocs.adapters.index.pgvector import PgVectorIndex
from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.application.ports.index import Liveness, SearchQuery
from tests.benchmarks import vector_index, vectors
from tests.benchmarks.vector_index import MODEL, WORKERS, execute, ids, log, measure
from tests.support.settings_wiring import from_settings

TEN_PERCENT = "ten-percent"
CLOCK_TICK_S = 1 / os.sysconf("SC_CLK_TCK")
BUILD_SETTINGS = "SET maintenance_work_mem = '1GB'"


@dataclasses.dataclass
class Point:
    """One point of the frontier; None prints as a dash."""

    setup: str
    ef_search: int
    recall: float | None
    p50: float
    p99: float
    qps: float | None = None
    client_ms: float | None = None  # client CPU per search
    server_ms: float | None = None  # the backends' CPU per search
    execution_ms: float | None = None  # EXPLAIN ANALYZE's execution time, median
    rows: str = ""


def backend_cpu_s(pids: Sequence[int]) -> float:
    """User + system CPU seconds the processes have used (fields 14 and 15 of /proc/PID/stat)."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total * CLOCK_TICK_S


async def backend_pids(database: PostgresDatabase) -> list[int]:
    """The pids of every connection of the pool (all lent at once, so each is a different one)."""
    async with contextlib.AsyncExitStack() as stack:
        lent = [await stack.enter_async_context(database.connection()) for _ in range(WORKERS)]
        return [await connection.fetchval("SELECT pg_backend_pid()") for connection in lent]


async def throughput(
    index: PgVectorIndex, database: PostgresDatabase, queries: Sequence[SearchQuery], rounds: int
) -> tuple[float, float, float]:
    """(QPS, client CPU ms per search, PostgreSQL CPU ms per search) of WORKERS searchers."""
    pids = await backend_pids(database)
    client, server = time.process_time(), backend_cpu_s(pids)
    qps = await vector_index.throughput(index, queries, rounds)
    count = len(queries) * rounds
    client_ms = (time.process_time() - client) * 1000 / count
    return qps, client_ms, (backend_cpu_s(pids) - server) * 1000 / count


async def execution_ms(index: PgVectorIndex, queries: Sequence[SearchQuery]) -> float:
    times = []
    for query in queries:
        plan = await index.explain(query, analyze=True)
        found = re.search(r"Execution Time: ([0-9.]+) ms", plan)
        assert found, plan
        times.append(float(found.group(1)))
    return float(np.median(times))


@contextlib.asynccontextmanager
async def searching(
    database: PostgresDatabase, hnsw_type: pg_sql.HnswType, ef_search: int, **knobs: object
) -> AsyncIterator[tuple[PgVectorIndex, PostgresDatabase]]:
    """The adapter on a pool of WORKERS that start with this ef_search, as the container
    opens it."""
    pool = from_settings(
        PostgresDatabase,
        url=database.url,
        min_size=WORKERS,
        max_size=WORKERS,
        server_settings=search_session_settings(ef_search),
    )
    try:
        index = from_settings(
            PgVectorIndex,
            database=pool,
            hnsw_type=hnsw_type,
            hnsw_ef_search=ef_search,
            **knobs,
        )
        yield index, pool
    finally:
        await pool.close()


async def frontier_point(
    database: PostgresDatabase,
    hnsw_type: pg_sql.HnswType,
    ef_search: int,
    queries: Sequence[SearchQuery],
    expected: Sequence[set[str]],
    args: argparse.Namespace,
    *,
    setup: str,
) -> Point:
    """Unfiltered searches through the adapter at this type and ef_search: latency and recall
    one at a time, then QPS and CPU per search of WORKERS searchers, then EXPLAIN ANALYZE."""
    async with searching(database, hnsw_type, ef_search) as (index, pool):
        name = pg_sql.index_name(queries[0].embedding_model)
        assert name in await index.explain(queries[0]), "the HNSW index is not used"
        for query in queries[: args.warmup]:
            await index.search(query)
        measured = await measure(ids(index.search), queries, expected)
        qps, client_ms, server_ms = await throughput(index, pool, queries, args.rounds)
        execution = await execution_ms(index, queries[: args.explained])
    return Point(
        setup,
        ef_search,
        measured.recall,
        measured.p50,
        measured.p99,
        qps,
        client_ms,
        server_ms,
        execution,
        vector_index.rows_note(measured.rows, vector_index.K),
    )


def with_ten_percent(liveness: list[Liveness]) -> list[Liveness]:
    return [
        dataclasses.replace(doc, tags=(*doc.tags, TEN_PERCENT)) if n % 10 == 0 else doc
        for n, doc in enumerate(liveness)
    ]


async def sweep(
    data: vectors.Dataset, corpus: vector_index.Corpus, args: argparse.Namespace
) -> list[Point]:
    n, q = len(corpus.members), args.queries
    plain = vector_index.queries_of(data, q)
    expected = vector_index.truth(corpus, data, data.query_vectors[:q], None)
    ten = np.asarray([p for p in range(n) if (p // vector_index.DOC_CHUNKS) % 10 == 0])
    filtered_q = args.filtered_queries
    tagged_ten = vector_index.queries_of(data, filtered_q, tags=(TEN_PERCENT,))
    tagged_one = vector_index.queries_of(data, filtered_q, tags=(vector_index.TAG,))
    expected_ten = vector_index.truth(corpus, data, data.query_vectors[:filtered_q], ten)
    expected_one = vector_index.truth(corpus, data, data.query_vectors[:filtered_q], corpus.tagged)
    name = pg_sql.index_name(MODEL)
    points: list[Point] = []
    async with vector_index.schema() as database:
        loader = from_settings(PgVectorIndex, database=database)
        await execute(database, f"CREATE INDEX {name} ON chunks (id) WHERE false")
        log(f"[{n}] loading through add ...")
        await vector_index.load(loader, corpus, args.batch, concurrency=2)
        for liveness in with_ten_percent(corpus.liveness):
            await loader.publish(liveness)
        await execute(database, "VACUUM ANALYZE chunks, live_pages, live_documents")
        await execute(database, f"DROP INDEX {name}")
        for hnsw_type in args.types:
            ddl = pg_sql.create_index(MODEL, vectors.DIM, hnsw_type, m=16, ef_construction=64)
            log(f"[{n}] {hnsw_type}: building ...")
            build_s = await execute(database, ddl, settings=BUILD_SETTINGS)
            await execute(database, "ANALYZE chunks")
            async with database.connection() as connection:
                size = await connection.fetchval("SELECT pg_relation_size($1::regclass)", name)
            log(f"    {build_s:.1f} s, {size / 2**20:.0f} MiB")
            points.append(
                Point(f"{hnsw_type} build: {build_s:.1f} s, {size / 2**20:.0f} MiB", 0, None, 0, 0)
            )
            efs = args.bit_ef_search if hnsw_type == "bit" else args.ef_search
            for ef_search in efs:
                points.append(
                    await frontier_point(
                        database, hnsw_type, ef_search, plain, expected, args, setup=hnsw_type
                    )
                )
                log(f"    ef_search {ef_search}: {points[-1]}")
            ef_search = args.filtered_ef.get(hnsw_type, efs[len(efs) // 2])
            cases = (
                ("10 % tag (adapter's choice)", tagged_ten, expected_ten, {}),
                ("1 % tag forced onto HNSW", tagged_one, expected_one, {"exact_search_below": 0}),
            )
            for label, queries, truth, knobs in cases:
                async with searching(database, hnsw_type, ef_search, **knobs) as (index, _):
                    assert name in await index.explain(queries[0]), "the HNSW index is not used"
                    measured = await measure(ids(index.search), queries, truth)
                    execution = await execution_ms(index, queries[: args.explained])
                points.append(
                    Point(
                        f"{hnsw_type}, {label}",
                        ef_search,
                        measured.recall,
                        measured.p50,
                        measured.p99,
                        execution_ms=execution,
                        rows=vector_index.rows_note(measured.rows, vector_index.K),
                    )
                )
                log(f"    {points[-1]}")
            await execute(database, f"DROP INDEX {name}")
    return points


def table(points: list[Point]) -> str:
    def number(value: float | None, spec: str) -> str:
        return "-" if value is None else format(value, spec)

    lines = [
        "| setup | ef_search | recall@10 | p50 ms | p99 ms | QPS (4) | client CPU ms/search "
        "| PG CPU ms/search | PG execution ms | rows |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for point in points:
        if not point.ef_search:
            lines.append(f"| {point.setup} | | | | | | | | | |")
            continue
        lines.append(
            f"| {point.setup} | {point.ef_search} | {number(point.recall, '.3f')} | "
            f"{point.p50:.2f} | {point.p99:.2f} | {number(point.qps, ',.0f')} | "
            f"{number(point.client_ms, '.2f')} | {number(point.server_ms, '.2f')} | "
            f"{number(point.execution_ms, '.2f')} | {point.rows} |"
        )
    return "\n".join(lines)


def hashing_dataset() -> vectors.Dataset:
    """The dataset's texts with `HashingEmbedder` vectors (askdocs' default embedder)."""
    from tests.benchmarks.vector_million import embed

    passages, pages, queries = vectors.build_texts()
    passage_vectors, query_vectors = embed(passages, processes=2), embed(queries, processes=1)
    describe = f"{len(passages):,} passages and {len(queries):,} queries of vectors.py, hashed"
    return vectors.Dataset(passages, pages, passage_vectors, queries, query_vectors, describe)


async def run(args: argparse.Namespace) -> str:
    data = hashing_dataset() if args.frontier_vectors == "hashing" else vectors.load()
    large = np.arange(min(args.large, len(data.passages)), dtype=np.int64)
    corpus = vector_index.build_corpus(data, large)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    points = await sweep(data, corpus, args)
    load = os.getloadavg()
    return (
        f"{data.describe}\nstarted {started}; load average at the end {load[0]:.1f} "
        f"{load[1]:.1f} {load[2]:.1f}\n\n{table(points)}"
    )


def efs(text: str) -> list[int]:
    return [int(value) for value in text.split(",")]


def filtered_efs(text: str) -> dict[str, int]:
    pairs = (item.split("=") for item in text.split(",") if item)
    return {kind: int(value) for kind, value in pairs}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("vector frontier (--only frontier)")
    group.add_argument("--types", type=lambda t: t.split(","), default=["vector", "halfvec", "bit"])
    group.add_argument("--ef-search", type=efs, default=efs("16,24,32,40,64,100"))
    group.add_argument("--bit-ef-search", type=efs, default=efs("40,64,100,200"))
    group.add_argument(
        "--filtered-ef",
        type=filtered_efs,
        default={},
        help="ef_search of the filtered runs per type, as vector=40,bit=100 (default: mid-list)",
    )
    group.add_argument("--filtered-queries", type=int, default=200)
    group.add_argument("--frontier-vectors", choices=("minilm", "hashing"), default="minilm")
    group.add_argument("--explained", type=int, default=50, help="EXPLAIN ANALYZE runs")


def on_uvloop(report: Coroutine[None, None, str]) -> int:
    """Print what `report` returns, run on uvloop as `askdocs serve` runs."""
    import uvloop

    print(uvloop.run(report))
    return 0


def main_with(args: argparse.Namespace) -> int:
    return on_uvloop(run(args))
