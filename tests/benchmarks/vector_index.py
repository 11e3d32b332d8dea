"""Vector retrieval benchmark: PgVectorIndex (HNSW, IVFFlat, exact scan) beside the in-memory index.

Real MiniLM vectors of the Python manual (tests/benchmarks/vectors.py), loaded through
`PgVectorIndex.add` into a throwaway migrated schema of the local PostgreSQL (the server of
ASKDOCS_TEST_DATABASE_URL, as the tests use), published as synthetic documents of 100 chunks (10
pages of 10), 1 % of them tagged for the filtered search. Every latency is end to end through
`search` (client timer around the call: the pool, the transaction, the statement, decoding).
Recall@10 compares the ids returned with an exact numpy search over the same live vectors.

The runs, all in one invocation so that their ratios mean something on a noisy machine:
- 100k: bulk load (the HNSW index absent: a placeholder under the adapter's index name makes its
  `CREATE INDEX IF NOT EXISTS` a no-op), then the adapter's own index DDL timed alone, with the
  server's maintenance_work_mem and again with 1 GB; HNSW searches (vector only, hybrid, text
  weight 0, 1 % filtered on the exact and on the HNSW path), 4 connections; then the HNSW index
  swapped for IVFFlat (lists = sqrt(n), probes 10); then no vector index (an exact scan).
- 10k: loaded as ingestion does it (batches of 64, the index created on first add and present
  while loading), HNSW and exact.
- InMemoryVectorIndex at 10k and 100k.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import hashlib
import math
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

import numpy as np
import numpy.typing as npt

from askdocs.adapters.index import pg_sql
from askdocs.adapters.index.memory import InMemoryVectorIndex
from askdocs.adapters.index.pg_search_sql import search_session_settings
from askdocs.adapters.index.pg_text_query import any_word_query
from askdocs.adapters.index.pgvector import PgVectorIndex
from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.application.ports.index import (
    IndexedChunk,
    Liveness,
    LivePage,
    SearchHit,
    SearchQuery,
    VectorIndex,
)
from askdocs.domain.chunking import Chunk
from askdocs.entrypoints.settings import Settings
from tests.benchmarks import vectors
from tests.support.postgres import migrated_schema
from tests.support.settings_wiring import from_settings

MODEL = "sentence-transformers/all-MiniLM-L6-v2"
K = 10
DOC_CHUNKS = 100  # chunks per synthetic document
PAGE_CHUNKS = 10  # chunks per page
TAG = "one-percent"
TAG_EVERY = 100  # one document in this many carries TAG
WORKERS = 4
# As the container opens its pool.
EF_SEARCH = Settings().index.hnsw_ef_search
SESSION_SETTINGS = search_session_settings(EF_SEARCH)
HNSW_TYPE = Settings().index.hnsw_type

Matrix = npt.NDArray[np.float32]
Ids = npt.NDArray[np.int64]
Search = Callable[[SearchQuery], Awaitable[list[str]]]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclasses.dataclass
class Row:
    """One line of the table; None prints as a dash."""

    setup: str
    n: int
    load: str | None = None
    build_s: float | None = None
    p50: float | None = None
    p99: float | None = None
    qps: float | None = None
    recall: float | None = None
    rows: str | None = None


@dataclasses.dataclass(frozen=True)
class Corpus:
    """The chunks of one run: `members` index the dataset's passages."""

    members: Ids
    chunks: list[IndexedChunk]
    liveness: list[Liveness]
    tagged: Ids  # positions in `members` of the chunks of tagged documents


def chunk_id(passage: int) -> str:
    return f"c{passage:06d}"


def build_corpus(data: vectors.Dataset, members: Ids) -> Corpus:
    chunks, liveness, tagged = [], [], []
    for doc_no, start in enumerate(range(0, len(members), DOC_CHUNKS)):
        document_id = f"d{doc_no:05d}"
        tags = (TAG,) if doc_no % TAG_EVERY == 0 else ()
        pages = []
        for position in range(start, min(start + DOC_CHUNKS, len(members))):
            page_no = (position - start) // PAGE_CHUNKS + 1
            sha = hashlib.sha256(f"{document_id}/{page_no}".encode()).hexdigest()
            if not pages or pages[-1].page_no != page_no:
                pages.append(LivePage(sha, page_no))
            passage = int(members[position])
            text = data.passages[passage]
            chunk = Chunk(
                id=chunk_id(passage),
                document_id=document_id,
                page_sha256=sha,
                ordinal=position - start,
                text=text,
                token_count=len(text.split()),
            )
            chunks.append(IndexedChunk(chunk, data.passage_vectors[passage], MODEL))
            if tags:
                tagged.append(position)
        liveness.append(Liveness(document_id, f"manual-{doc_no}", 1, tags, tuple(pages)))
    return Corpus(members, chunks, liveness, np.asarray(tagged, dtype=np.int64))


def exact_top(base: Matrix, queries: Matrix, k: int) -> list[set[int]]:
    """Row numbers of the k nearest rows of `base` by cosine (rows are unit vectors)."""
    top = []
    for start in range(0, len(queries), 100):
        similarity = queries[start : start + 100] @ base.T
        best = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        top.extend(set(map(int, row)) for row in best)
    return top


def truth(
    corpus: Corpus, data: vectors.Dataset, queries: Matrix, subset: Ids | None
) -> list[set[str]]:
    """The exact top-k chunk ids among `subset` (positions in the corpus; all when None)."""
    positions = np.arange(len(corpus.members)) if subset is None else subset
    passages = corpus.members[positions]
    top = exact_top(data.passage_vectors[passages], queries, K)
    return [{chunk_id(int(passages[row])) for row in rows} for rows in top]


@dataclasses.dataclass
class Measured:
    p50: float
    p99: float
    recall: float | None
    rows: list[int]
    per_query_s: float


def ids(search: Callable[[SearchQuery], Awaitable[list[SearchHit]]]) -> Search:
    """A search that answers the chunk ids of the hits."""

    async def run(query: SearchQuery) -> list[str]:
        return [hit.chunk.id for hit in await search(query)]

    return run


async def measure(
    search: Search, queries: Sequence[SearchQuery], expected: Sequence[set[str]] | None
) -> Measured:
    """Sequential searches, timed one by one."""
    times, recalls, rows = [], [], []
    started = time.perf_counter()
    for n, query in enumerate(queries):
        t0 = time.perf_counter()
        hits = await search(query)
        times.append(time.perf_counter() - t0)
        rows.append(len(hits))
        if expected is not None:
            found = set(hits)
            recalls.append(len(found & expected[n]) / len(expected[n]))
    elapsed = time.perf_counter() - started
    ms = np.asarray(times) * 1000
    return Measured(
        float(np.percentile(ms, 50)),
        float(np.percentile(ms, 99)),
        float(np.mean(recalls)) if recalls else None,
        rows,
        elapsed / len(queries),
    )


async def throughput(index: VectorIndex, queries: Sequence[SearchQuery], rounds: int) -> float:
    """Queries per second from WORKERS concurrent searchers sharing the adapter's pool."""
    pending = iter([q for _ in range(rounds) for q in queries])
    count = 0

    async def worker() -> None:
        nonlocal count
        for query in pending:
            await index.search(query)
            count += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(WORKERS)))
    return count / (time.perf_counter() - started)


def queries_of(
    data: vectors.Dataset, count: int, *, text: bool = False, tags: tuple[str, ...] = ()
) -> list[SearchQuery]:
    return [
        SearchQuery(
            text=data.queries[i] if text else "",
            embedding=data.query_vectors[i],
            embedding_model=MODEL,
            k=K,
            tags=tags,
        )
        for i in range(count)
    ]


def rows_note(rows: list[int], want: int) -> str:
    short = sum(1 for r in rows if r != want)
    return f"{want}/{want}" if not short else f"{short} of {len(rows)} != {want} (min {min(rows)})"


async def load(index: VectorIndex, corpus: Corpus, batch: int, concurrency: int = 1) -> float:
    """Chunks/s through `add`, in batches, `concurrency` of them in flight at once (as that
    many ingestion workers would add theirs; each batch is still one transaction)."""
    batches = iter(range(0, len(corpus.chunks), batch))

    async def adder() -> None:
        for start in batches:
            await index.add(corpus.chunks[start : start + batch])

    started = time.perf_counter()
    await asyncio.gather(*(adder() for _ in range(concurrency)))
    return len(corpus.chunks) / (time.perf_counter() - started)


async def load_alone(corpus: Corpus, batch: int, concurrency: int) -> float:
    """Chunks/s of a load into a throwaway schema without the HNSW index."""
    async with schema() as database:
        await execute(
            database, f"CREATE INDEX {pg_sql.index_name(MODEL)} ON chunks (id) WHERE false"
        )
        return await load(
            from_settings(PgVectorIndex, database=database), corpus, batch, concurrency
        )


async def publish(index: VectorIndex, corpus: Corpus) -> float:
    started = time.perf_counter()
    for liveness in corpus.liveness:
        await index.publish(liveness)
    return len(corpus.liveness) / (time.perf_counter() - started)


@contextlib.asynccontextmanager
async def schema() -> AsyncIterator[PostgresDatabase]:
    """A throwaway migrated schema whose pool is opened as the container opens it."""
    schemas = migrated_schema(SESSION_SETTINGS)
    database = await anext(schemas)
    try:
        yield database
    finally:
        await schemas.aclose()  # drops the schema


async def execute(database: PostgresDatabase, sql: str, *, settings: str = "") -> float:
    """Run DDL on one connection; its duration in seconds. Server notices go to the log."""
    async with database.connection() as connection:
        notices: list[str] = []

        def listen(_connection: object, message: object) -> None:
            notices.append(str(message))

        connection.add_log_listener(listen)
        try:
            if settings:
                await connection.execute(settings)
            started = time.perf_counter()
            await connection.execute(sql, timeout=3600)  # the pool allows 30 s
            elapsed = time.perf_counter() - started
            if settings:
                await connection.execute("RESET ALL")
        finally:
            connection.remove_log_listener(listen)
        for notice in notices:
            log(f"    server: {notice}")
        return elapsed


async def plan_uses(index: PgVectorIndex, query: SearchQuery, word: str) -> bool:
    plan = await index.explain(query)
    return word in plan


async def server_time(index: PgVectorIndex, query: SearchQuery, label: str) -> None:
    """Log the server's own planning and execution time of one search (EXPLAIN ANALYZE)."""
    plan = await index.explain(query, analyze=True)
    keep = ("Planning Time", "Execution Time", "JIT", "Workers Launched")
    summary = "; ".join(line.strip() for line in plan.splitlines() if line.strip().startswith(keep))
    log(f"    {label}: {summary}")


def ivfflat_ddl(dim: int, lists: int) -> str:
    """IVFFlat on exactly the expression and predicate of the adapter's HNSW index."""
    return (
        f"CREATE INDEX chunks_ivfflat ON chunks USING ivfflat ((embedding::vector({dim})) "
        f"vector_cosine_ops) WITH (lists = {lists}) WHERE embedding_model = '{MODEL}'"
    )


async def pg_large(data: vectors.Dataset, corpus: Corpus, args: argparse.Namespace) -> list[Row]:
    n = len(corpus.members)
    q = args.queries
    plain = queries_of(data, q)
    expected = truth(corpus, data, data.query_vectors[:q], None)
    expected_tagged = truth(corpus, data, data.query_vectors[:q], corpus.tagged)
    name = pg_sql.index_name(MODEL)
    rows: list[Row] = []
    async with schema() as database:
        index = from_settings(PgVectorIndex, database=database)
        # A placeholder under the adapter's index name, empty by its predicate: the adapter's
        # CREATE INDEX IF NOT EXISTS on first add does nothing, and the load runs index-free.
        await execute(database, f"CREATE INDEX {name} ON chunks (id) WHERE false")
        log(f"[{n}] loading through add, batches of {args.batch}, 2 at a time ...")
        load_rate = await load(index, corpus, args.batch, concurrency=2)
        publish_rate = await publish(index, corpus)
        log(f"    {load_rate:,.0f} chunks/s; publish {publish_rate:,.0f} documents/s")
        await execute(database, "VACUUM ANALYZE chunks, live_pages, live_documents")
        await execute(database, f"DROP INDEX {name}")
        ddl = pg_sql.create_index(MODEL, vectors.DIM, HNSW_TYPE, m=16, ef_construction=64)
        log(f"[{n}] HNSW build (the adapter's DDL, m=16, ef_construction=64) ...")
        build_default = await execute(database, ddl)
        log(f"    {build_default:.1f} s with the server's maintenance_work_mem")
        await execute(database, f"DROP INDEX {name}")
        build_tuned = await execute(database, ddl, settings="SET maintenance_work_mem = '1GB'")
        log(f"    {build_tuned:.1f} s with maintenance_work_mem = 1GB")
        await execute(database, "ANALYZE chunks")
        assert await plan_uses(index, plain[0], name), "the HNSW index is not used"

        for query in plain[: args.warmup]:
            await index.search(query)
        log(f"[{n}] HNSW searches ...")
        await server_time(index, plain[1], "HNSW")
        vector = await measure(ids(index.search), plain, expected)
        qps = await throughput(index, plain, args.rounds)
        rows.append(
            Row(
                f"pgvector HNSW {HNSW_TYPE} ef_search={EF_SEARCH}, vector only (text='')",
                n,
                f"{load_rate:,.0f}/s (index absent, batch {args.batch}, 2 adds at a time)",
                build_default,
                vector.p50,
                vector.p99,
                qps,
                vector.recall,
                rows_note(vector.rows, K),
            )
        )
        rows.append(
            Row(
                "  same build, maintenance_work_mem=1GB",
                n,
                build_s=build_tuned,
            )
        )
        single = await load_alone(corpus, args.batch, concurrency=1)
        rows.append(Row("  the load with one add at a time", n, f"{single:,.0f}/s"))
        worded = queries_of(data, q, text=True)
        hybrid = await measure(ids(index.search), worded, None)
        matched = await text_matches(database, worded)
        rows.append(
            Row(
                "pgvector HNSW, hybrid (query text + vector, RRF)",
                n,
                p50=hybrid.p50,
                p99=hybrid.p99,
                rows=f"{rows_note(hybrid.rows, K)}; text matched for {matched} of {len(worded)}",
            )
        )
        muted = from_settings(PgVectorIndex, database=database, text_weight=0.0)
        zero = await measure(ids(muted.search), queries_of(data, q, text=True), expected)
        rows.append(
            Row(
                "pgvector HNSW, query text with text_weight=0",
                n,
                p50=zero.p50,
                p99=zero.p99,
                recall=zero.recall,
                rows=rows_note(zero.rows, K),
            )
        )
        tagged = queries_of(data, q, tags=(TAG,))
        matches = len(corpus.tagged)
        await server_time(index, tagged[1], "filtered, exact path")
        filtered = await measure(ids(index.search), tagged, expected_tagged)
        rows.append(
            Row(
                f"1 % filter ({matches} chunks), adapter's choice: exact below 10k",
                n,
                p50=filtered.p50,
                p99=filtered.p99,
                recall=filtered.recall,
                rows=rows_note(filtered.rows, min(K, matches)),
            )
        )
        walk = from_settings(PgVectorIndex, database=database, exact_search_below=0)
        await server_time(walk, tagged[1], "filtered, HNSW path")
        walked = await measure(
            ids(walk.search), tagged[: args.filtered_hnsw_queries], expected_tagged
        )
        rows.append(
            Row(
                "1 % filter forced onto HNSW (iterative scan)",
                n,
                p50=walked.p50,
                p99=walked.p99,
                recall=walked.recall,
                rows=rows_note(walked.rows, min(K, matches)),
            )
        )

        await execute(database, f"DROP INDEX {name}")
        lists = round(math.sqrt(n))
        log(f"[{n}] IVFFlat build (lists={lists}) ...")
        ivf_build = await execute(database, ivfflat_ddl(vectors.DIM, lists))
        await execute(database, "ANALYZE chunks")
        probed = from_settings(
            PostgresDatabase,
            url=database.url,
            min_size=1,
            max_size=WORKERS,
            server_settings={**SESSION_SETTINGS, "ivfflat.probes": str(args.probes)},
        )
        try:
            ivf = from_settings(PgVectorIndex, database=probed)
            assert await plan_uses(ivf, plain[0], "chunks_ivfflat"), "the IVFFlat index is not used"
            for query in plain[: args.warmup]:
                await ivf.search(query)
            await server_time(ivf, plain[1], "IVFFlat")
            measured = await measure(ids(ivf.search), plain, expected)
            qps = await throughput(ivf, plain, args.rounds)
        finally:
            await probed.close()
        rows.append(
            Row(
                f"pgvector IVFFlat lists={lists} probes={args.probes}",
                n,
                None,
                ivf_build,
                measured.p50,
                measured.p99,
                qps,
                measured.recall,
                rows_note(measured.rows, K),
            )
        )

        await execute(database, "DROP INDEX chunks_ivfflat")
        log(f"[{n}] exact scan (no vector index) ...")
        exact_queries = plain[: args.exact_queries]
        await server_time(index, plain[1], "exact scan")
        measured = await measure(ids(index.search), exact_queries, expected)
        qps = await throughput(index, exact_queries, 1)
        rows.append(
            Row(
                f"pgvector exact scan (no index), {len(exact_queries)} queries",
                n,
                None,
                None,
                measured.p50,
                measured.p99,
                qps,
                measured.recall,
                rows_note(measured.rows, K),
            )
        )
        raw = await raw_exact(database, exact_queries, expected)
        rows.append(
            Row(
                "  plain SQL ORDER BY distance LIMIT 10 (no liveness check)",
                n,
                None,
                None,
                raw.p50,
                raw.p99,
                None,
                raw.recall,
                rows_note(raw.rows, K),
            )
        )
    return rows


async def text_matches(database: PostgresDatabase, queries: Sequence[SearchQuery]) -> int:
    """How many of the queries select any chunk in the adapter's full-text leg (any word)."""
    sql = (
        f"SELECT EXISTS (SELECT 1 FROM chunks c CROSS JOIN {any_word_query('$1', 'NULL')} AS q "
        "WHERE c.tsv @@ q.ranking)"
    )
    async with database.connection() as connection:
        return sum([bool(await connection.fetchval(sql, query.text)) for query in queries])


async def raw_exact(
    database: PostgresDatabase, queries: Sequence[SearchQuery], expected: Sequence[set[str]]
) -> Measured:
    """The bare exact scan, outside the adapter: what the liveness check and fusion add."""
    sql = (
        "SELECT id FROM chunks WHERE embedding_model = $2 "
        "ORDER BY embedding <=> $1::vector LIMIT $3"
    )
    async with database.connection() as connection:

        async def search(query: SearchQuery) -> list[str]:
            return [r["id"] for r in await connection.fetch(sql, query.embedding, MODEL, K)]

        return await measure(search, queries, expected)


async def pg_small(data: vectors.Dataset, corpus: Corpus, args: argparse.Namespace) -> list[Row]:
    n = len(corpus.members)
    plain = queries_of(data, args.queries)
    expected = truth(corpus, data, data.query_vectors[: args.queries], None)
    rows: list[Row] = []
    async with schema() as database:
        index = from_settings(PgVectorIndex, database=database)
        log(f"[{n}] loading as ingestion does (batches of 64, HNSW index present) ...")
        load_rate = await load(index, corpus, 64)
        await publish(index, corpus)
        await execute(database, "VACUUM ANALYZE chunks, live_pages, live_documents")
        name = pg_sql.index_name(MODEL)
        assert await plan_uses(index, plain[0], name), "the HNSW index is not used"
        for query in plain[: args.warmup]:
            await index.search(query)
        measured = await measure(ids(index.search), plain, expected)
        qps = await throughput(index, plain, args.rounds)
        rows.append(
            Row(
                f"pgvector HNSW {HNSW_TYPE} ef_search={EF_SEARCH}, vector only",
                n,
                f"{load_rate:,.0f}/s (index present, batch 64)",
                None,
                measured.p50,
                measured.p99,
                qps,
                measured.recall,
                rows_note(measured.rows, K),
            )
        )
        await execute(database, f"DROP INDEX {name}")
        build = await execute(
            database, pg_sql.create_index(MODEL, vectors.DIM, HNSW_TYPE, m=16, ef_construction=64)
        )
        rows[-1].build_s = build
        await execute(database, f"DROP INDEX {name}")
        measured = await measure(ids(index.search), plain, expected)
        qps = await throughput(index, plain, 1)
        rows.append(
            Row(
                "pgvector exact scan (no index)",
                n,
                None,
                None,
                measured.p50,
                measured.p99,
                qps,
                measured.recall,
                rows_note(measured.rows, K),
            )
        )
    return rows


async def memory(data: vectors.Dataset, corpus: Corpus, args: argparse.Namespace) -> Row:
    n = len(corpus.members)
    count = args.queries if n <= args.small else args.memory_queries
    plain = queries_of(data, count)
    expected = truth(corpus, data, data.query_vectors[:count], None)
    index = from_settings(InMemoryVectorIndex)
    log(f"[{n}] in-memory ...")
    load_rate = await load(index, corpus, args.batch)
    await publish(index, corpus)
    for query in plain[: min(args.warmup, 20)]:
        await index.search(query)
    measured = await measure(ids(index.search), plain, expected)
    return Row(
        f"InMemoryVectorIndex (numpy exact), {count} queries",
        n,
        f"{load_rate:,.0f}/s",
        None,
        measured.p50,
        measured.p99,
        1 / measured.per_query_s,
        measured.recall,
        rows_note(measured.rows, K),
    )


def table(rows: list[Row]) -> str:
    def number(value: float | None, spec: str) -> str:
        return "-" if value is None else format(value, spec)

    lines = [
        "| setup | chunks | load (chunks/s) | build s | p50 ms | p99 ms | QPS | recall@10 | rows |",
        "|---|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.setup} | {row.n:,} | {row.load or '-'} | {number(row.build_s, '.1f')} | "
            f"{number(row.p50, '.2f')} | {number(row.p99, '.2f')} | {number(row.qps, ',.0f')} | "
            f"{number(row.recall, '.3f')} | {row.rows or '-'} |"
        )
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> str:
    data = vectors.load()
    large = np.arange(min(args.large, len(data.passages)), dtype=np.int64)
    small = np.sort(np.random.default_rng(7).choice(len(large), args.small, replace=False))
    big, little = build_corpus(data, large), build_corpus(data, small)
    rows = await pg_large(data, big, args)
    rows += await pg_small(data, little, args)
    rows.append(await memory(data, little, args))
    rows.append(await memory(data, big, args))
    return f"{data.describe}\n\n{table(rows)}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("vector benchmark")
    group.add_argument("--large", type=int, default=100_000, help="chunks of the large runs")
    group.add_argument("--small", type=int, default=10_000, help="chunks of the small runs")
    group.add_argument("--queries", type=int, default=1000, help="queries per measurement")
    group.add_argument("--warmup", type=int, default=200, help="untimed queries first")
    group.add_argument("--rounds", type=int, default=2, help="passes over the queries for QPS")
    group.add_argument("--batch", type=int, default=1000, help="chunks per add() in the 100k load")
    group.add_argument("--probes", type=int, default=10, help="ivfflat.probes")
    group.add_argument(
        "--exact-queries", type=int, default=200, help="queries for the 100k exact scan"
    )
    group.add_argument(
        "--memory-queries", type=int, default=200, help="queries for in-memory at 100k"
    )
    group.add_argument(
        "--filtered-hnsw-queries",
        type=int,
        default=1000,
        help="queries for the forced filtered HNSW",
    )


def main_with(args: argparse.Namespace) -> int:
    print(asyncio.run(run(args)))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    return main_with(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
