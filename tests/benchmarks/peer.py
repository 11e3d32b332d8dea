"""askdocs beside the FastAPI + LlamaIndex + pgvector stack it replaces: `nox -s bench -- --peer`.

Both services hold the PostgreSQL 15 manual (1,169 HTML pages) in PostgreSQL with pgvector, embed
with the same hashing embedder (askdocs' file, loaded by path in the peer) and answer without a
model (askdocs' extractive answerer; the peer's MockLLM). tests/benchmarks/peer_services.py
loads and starts them; docs/adr/0036-a-llamaindex-peer-to-measure-against.md says what the
peer stands for and what is held equal.

One run: the peer ingests the manual in process from disk, then `askdocs ingest` sends it to
a fresh `askdocs serve` with one `askdocs worker` (each timed to the last page stored); both
servers then answer the golden questions of tests/golden/postgres_manual.jsonl (recall@5: an
expected page among the first five sources), get a warm-up, and take wrk's load in turns:
chat.lua cached at 64 connections, manual.lua uncached at 16 (every question distinct, the
same stream for both). Servers on core 0, wrk on core 1, `--seconds` per run (15).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

import httpx

from askdocs.entrypoints.cli.golden import load_golden
from tests.benchmarks import manual, run
from tests.benchmarks.manual_corpus import bench_schema, manual_pages_or_say_why
from tests.benchmarks.peer_services import (
    Ingested,
    ingest_askdocs,
    ingest_peer,
    peer_python,
    peer_schema,
    start_peer,
    vacuum,
)

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "postgres_manual.jsonl"
CACHED_CLIENTS = 64
UNCACHED_CLIENTS = 16
TOP_K = 5
PEER_KEY = "ignored"  # the peer takes askdocs' X-API-Key header and ignores it
NAMES = {"peer": "FastAPI + LlamaIndex", "askdocs": "askdocs"}
# (port, API key) of each service, by its key in NAMES
Servers = dict[str, tuple[int, str, int]]
"""Per service: its port, the key it takes and its server's process id."""
Figures = dict[str, float]


def main_with(args: argparse.Namespace) -> int:
    if not run.have_wrk():
        return 2
    if not manual_pages_or_say_why():
        return 2
    if not peer_python().is_file():
        print(
            f"no peer virtualenv at {peer_python()}: `nox -s bench -- --peer` makes it "
            "(or set PEER_PYTHON to a Python with tests/benchmarks/peer/"
            "requirements.txt installed)",
            file=sys.stderr,
        )
        return 2
    print(asyncio.run(session(args)))
    return 0


async def session(args: argparse.Namespace) -> str:
    """Load both, measure both, and return the table; the schemas are dropped afterwards."""
    async with bench_schema() as askdocs_url, peer_schema() as schema:
        with tempfile.TemporaryDirectory() as blobs, contextlib.ExitStack() as stack:
            run.log("peer: ingesting the manual in process")
            peer_ingest = await asyncio.to_thread(ingest_peer, schema)
            run.log(f"peer: {peer_ingest}; askdocs: `askdocs ingest` with serve + one worker")
            askdocs_ingest, port, key, pid = await asyncio.to_thread(
                ingest_askdocs, stack, askdocs_url, blobs
            )
            run.log(f"askdocs: {askdocs_ingest}")
            await asyncio.to_thread(vacuum, askdocs_url, schema)
            peer_port, peer_pid = await asyncio.to_thread(start_peer, stack, schema)
            servers: Servers = {
                "peer": (peer_port, PEER_KEY, peer_pid),
                "askdocs": (port, key, pid),
            }
            recall = await asyncio.to_thread(recall_at_5, servers)
            loads = await asyncio.to_thread(measure, servers, args.seconds)
    ingested = {"peer": peer_ingest, "askdocs": askdocs_ingest}
    return table(ingested, recall, loads, args.seconds)


def recall_at_5(servers: Servers) -> dict[str, tuple[int, int]]:
    """Per service, (questions whose expected page is among the first five sources, questions)."""
    cases = [case for case in load_golden(GOLDEN) if case.answerable]
    found: dict[str, tuple[int, int]] = {}
    for name, (port, key, _) in servers.items():
        with manual.client(port, key) as http:
            named = [first_sources(http, case.question) for case in cases]
        hits = sum(case.document in sources for case, sources in zip(cases, named, strict=True))
        found[name] = (hits, len(cases))
        mean = sum(map(len, named)) / len(named)
        run.log(f"{name}: recall@{TOP_K} {hits}/{len(cases)}, {mean:.1f} sources an answer")
    return found


def first_sources(http: httpx.Client, question: str) -> list[str]:
    response = http.post("/api/v1/chat", json={"question": question})
    response.raise_for_status()
    return [source["document"] for source in response.json()["sources"][:TOP_K]]


def measure(servers: Servers, seconds: int) -> dict[tuple[str, str], Figures]:
    """A warm-up of each path on each server, then each path with the servers in turns.

    Beside wrk's figures, each run records the CPU its server spent per answered request
    (`cpu_ms`): on a shared machine a pinned server gets only a share of its core, and what
    a request costs holds where requests per second do not.
    """
    for port, key, _ in servers.values():
        run.load(port, key, vary=False, seconds=2, clients=CACHED_CLIENTS)
        run.load(port, key, vary=True, seconds=2, clients=UNCACHED_CLIENTS, script=manual.LUA)
    measured: dict[tuple[str, str], Figures] = {}
    order = list(servers.items())
    for path, turn in (("cached", order), ("uncached", order[::-1])):
        for name, (port, key, pid) in turn:
            cpu_before = run.process_cpu_s(pid)
            if path == "cached":
                figures = run.load(port, key, vary=False, seconds=seconds, clients=CACHED_CLIENTS)
            else:  # run 1: the same distinct questions for both, none seen in the warm-up
                figures = run.load(
                    port,
                    key,
                    vary=True,
                    seconds=seconds,
                    clients=UNCACHED_CLIENTS,
                    script=manual.LUA,
                    run=1,
                    timeout_s=manual.WRK_TIMEOUT_S,
                )
            spent = run.process_cpu_s(pid) - cpu_before
            figures["cpu_ms"] = 1000 * spent / max(figures["requests"], 1)
            measured[path, name] = figures
            run.log(f"{path}, {name}: {figures}")
    return measured


def table(
    ingested: Mapping[str, Ingested],
    recall: Mapping[str, tuple[int, int]],
    loads: Mapping[tuple[str, str], Figures],
    seconds: int,
) -> str:
    """The markdown table of both services' figures; each ratio is askdocs over the peer."""

    def load_cell(path: str, name: str) -> str:
        f = loads[path, name]
        failed = f["errors"] + f["non2xx"]
        cell = (
            f"{f['rps']:,.0f} req/s, p50 {f['p50_ms']:.1f} ms, p99 {f['p99_ms']:.1f} ms, "
            f"server CPU {f['cpu_ms']:.2f} ms/request"
        )
        return cell + (f", {failed:.0f} failed" if failed else "")

    def ratio(path: str) -> str:
        askdocs, peer = loads[path, "askdocs"], loads[path, "peer"]
        return (
            f"{askdocs['rps'] / peer['rps']:.2f}x req/s, "
            f"{peer['cpu_ms'] / askdocs['cpu_ms']:.2f}x requests per CPU second"
        )

    def ingest_cell(name: str) -> str:
        i = ingested[name]
        return f"{i.seconds:,.0f} s, {i.pages_per_s:.1f} pages/s ({i.chunks:,} chunks)"

    def share(name: str) -> float:
        hits, questions = recall[name]
        return hits / questions

    pages = ingested["askdocs"].pages
    questions = recall["askdocs"][1]
    rows = [
        f"| path | {NAMES['peer']} | {NAMES['askdocs']} | ratio |",
        "|---|---|---|---|",
        f"| cached `POST /api/v1/chat`, {CACHED_CLIENTS} connections | "
        f"{load_cell('cached', 'peer')} | {load_cell('cached', 'askdocs')} | {ratio('cached')} |",
        f"| uncached (every question distinct), {UNCACHED_CLIENTS} connections | "
        f"{load_cell('uncached', 'peer')} | {load_cell('uncached', 'askdocs')} | "
        f"{ratio('uncached')} |",
        f"| ingest the PostgreSQL 15 manual ({pages:,} pages) | {ingest_cell('peer')} | "
        f"{ingest_cell('askdocs')} | "
        f"{ingested['askdocs'].pages_per_s / ingested['peer'].pages_per_s:.2f}x pages/s |",
        f"| retrieval recall@{TOP_K} ({questions} questions) | {share('peer'):.3f} | "
        f"{share('askdocs'):.3f} | {share('askdocs') / max(share('peer'), 1e-9):.2f}x |",
    ]
    return "\n".join(
        [
            *rows,
            f"({seconds} s per load run; servers on core 0, wrk on core 1; ratio: askdocs / peer)",
        ]
    )
