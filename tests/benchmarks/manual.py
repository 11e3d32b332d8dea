"""Uncached chat over the PostgreSQL 15 manual: `nox -s bench -- --only manual`.

The corpus is every HTML page of Debian's postgresql-doc-15 (1,169 pages; the bench session
installs the package when it is missing), in both storage modes: the embedded defaults
(in-memory index) and PostgreSQL (`ASKDOCS_DATABASE__URL` naming a schema made for the run;
tests/benchmarks/manual_corpus.py loads both). Every question is distinct
(tests/benchmarks/manual.lua), so each one misses the answer cache and runs the whole
uncached path: embedding, hybrid search, term counts, rerank, extractive answer, prompt.

Each `askdocs serve` is pinned to core 0 and wrk to core 1, 1 client and then 16, after a
warm-up. `--manual-baseline DIR` runs a second server beside each, from the askdocs package
in DIR (say, a checkout of the commit before a change, linked as DIR/askdocs), and measures
the two in turns, so their ratio holds on a noisy machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx

from tests.benchmarks import run
from tests.benchmarks.manual_corpus import (
    MANUAL,
    bench_schema,
    ingest_into,
    manual_pages_or_say_why,
    package_dirs,
    upload,
)

LUA = Path(__file__).with_name("manual.lua")
CLIENTS = (1, 16)
WRK_TIMEOUT_S = 30  # a slow server's answers are latencies to report, not errors
# (port, admin key, process id) of each server, by the code it runs: "current" or "baseline"
Servers = dict[str, tuple[int, str, int]]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--manual-baseline",
        default="",
        help="in --only manual, also serve the askdocs package found in this folder",
    )
    parser.add_argument(
        "--manual-modes",
        default="memory,postgres",
        help="in --only manual, the storage modes to run (memory, postgres)",
    )


def main_with(args: argparse.Namespace) -> int:
    if not run.have_wrk():
        return 2
    pages = manual_pages_or_say_why()
    if not pages:
        return 2
    codes = package_dirs(args.manual_baseline)
    lines = [
        f"manual: {len(pages)} pages of {MANUAL}; uncached chat, {args.seconds} s per run",
        "| mode | code | clients | req/s | p50 ms | p99 ms | server CPU ms/request | errors "
        "| non-2xx |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    modes = {"memory": embedded, "postgres": in_postgres}
    chosen = args.manual_modes.split(",")
    if not set(chosen) <= modes.keys():
        print(f"--manual-modes: choose among {', '.join(modes)}", file=sys.stderr)
        return 2
    notes = []
    for mode in chosen:
        rows, note = modes[mode](pages, codes, args)
        lines += rows
        notes.append(note)
    print("\n".join(lines + notes))
    return 0


def embedded(
    pages: list[Path], codes: Mapping[str, str], args: argparse.Namespace
) -> tuple[list[str], str]:
    """Each server ingests the manual itself, pinned to core 0 from the start: pinned only
    once loaded, numpy's BLAS keeps the two threads it started with, which then take turns
    on one core (a question took about four times as long)."""
    with tempfile.TemporaryDirectory() as blobs, contextlib.ExitStack() as stack:
        servers: Servers = {}
        loaded = []
        for code, path in codes.items():
            port = run.free_port()
            server, key = start(stack, port, f"{blobs}/{code}", path, {}, core="0")
            run.log(f"memory, {code}: uploading {len(pages)} pages")
            with client(port, key) as http:
                chunks = upload(http, pages)
            servers[code] = (port, key, server.pid)
            loaded.append(f"{code}: {chunks} chunks, server RSS {rss_mb(server):.0f} MB")
        rows = measure("memory", servers, args)
    return rows, f"memory (embedded defaults, in-memory index): {'; '.join(loaded)}"


def in_postgres(
    pages: list[Path], codes: Mapping[str, str], args: argparse.Namespace
) -> tuple[list[str], str]:
    """One schema, loaded once; every server reads it."""

    async def session() -> tuple[list[str], int]:
        async with bench_schema() as url:
            with tempfile.TemporaryDirectory() as blobs, contextlib.ExitStack() as stack:
                run.log(f"postgres: ingesting {len(pages)} pages in process")
                chunks = await ingest_into(url, blobs, pages)
                servers: Servers = {}
                key = None  # the first server stores one admin key; the others use it
                for code, path in codes.items():
                    port = run.free_port()
                    extra = {"ASKDOCS_DATABASE__URL": url}
                    server, key = start(stack, port, blobs, path, extra, core="0", stored_key=key)
                    servers[code] = (port, key, server.pid)
                rows = await asyncio.to_thread(measure, "postgres", servers, args)
        return rows, chunks

    rows, chunks = asyncio.run(session())
    return rows, f"postgres (pgvector, a schema made for the run): {chunks} chunks"


def measure(mode: str, servers: Servers, args: argparse.Namespace) -> list[str]:
    """A warm-up per server, then each client count, the servers taking turns."""
    numbers = itertools.count()  # every run's questions are its own
    for port, key, _ in servers.values():
        run.load(port, key, vary=True, seconds=2, clients=16, script=LUA, run=next(numbers))
    measured: dict[tuple[int, str], dict[str, float]] = {}
    for turn, clients in enumerate(CLIENTS):
        order = list(servers.items())
        for code, (port, key, pid) in order[::-1] if turn % 2 else order:
            cpu_before = run.process_cpu_s(pid)
            measured[clients, code] = run.load(
                port,
                key,
                vary=True,
                seconds=args.seconds,
                clients=clients,
                script=LUA,
                run=next(numbers),
                timeout_s=WRK_TIMEOUT_S,
            )
            spent = run.process_cpu_s(pid) - cpu_before
            figures = measured[clients, code]
            figures["cpu_ms"] = 1000 * spent / max(figures["requests"], 1)
            run.log(f"{mode}, {code}, {clients} clients: {figures}")
    return [
        f"| {mode} | {code} | {clients} | {f['rps']:.1f} | {f['p50_ms']:.1f} | "
        f"{f['p99_ms']:.1f} | {f['cpu_ms']:.2f} | {f['errors']:.0f} | {f['non2xx']:.0f} |"
        for (clients, code), f in sorted(measured.items())
    ]


def start(
    stack: contextlib.ExitStack,
    port: int,
    blobs: str,
    package_dir: str,
    extra: Mapping[str, str],
    *,
    core: str | None,
    stored_key: str | None = None,
) -> tuple[subprocess.Popen[str], str]:
    """`askdocs serve` on `port`, from `package_dir` when given; stopped when `stack` closes."""
    environment = {**extra, **({"PYTHONPATH": package_dir} if package_dir else {})}
    server, key = run.start_server(port, blobs, extra=environment, core=core, stored_key=stored_key)
    stack.callback(stop, server)
    return server, key


def stop(server: subprocess.Popen[str]) -> None:
    server.terminate()
    server.wait(timeout=30)


@contextlib.contextmanager
def client(port: int, key: str) -> Iterator[httpx.Client]:
    headers = {"X-API-Key": key}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=120) as c:
        yield c


def rss_mb(server: subprocess.Popen[str]) -> float:
    status = Path(f"/proc/{server.pid}/status").read_text()
    kilobytes = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))
    return int(kilobytes) / 1024
