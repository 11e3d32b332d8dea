"""Ingestion throughput: real PDFs from the queue to `ready` by `askdocs worker` processes.

`nox -s bench -- --only ingestion`. The corpus is the folder scripts/fetch-bench-pdfs.sh fills
(269 PDFs, ~8,000 pages, under ASKDOCS_BENCH_CACHE). Documents, versions, jobs and chunks
live in PostgreSQL (a throwaway migrated schema of the local server per run); embeddings come
from the hashing embedder, so the figures are askdocs' own cost, not a provider's.

1. Throughput side by side in one invocation (so the ratios mean something on a noisy
   machine): 1 worker process taking 2 jobs at a time (its parse processes use both cores),
   2 workers taking 1 job each (the same two parses at a time, in two processes), and 2
   workers taking 2 each (twice as many jobs as cores). Every PDF is submitted in process
   through SubmitDocument first, untimed; the clock runs from starting the workers until no
   version is queued or processing. Worker CPU is the user + system time of the workers and
   their parse processes; machine busy is the share of every core's time the machine spent
   working (PostgreSQL, and whatever else runs, included). The parse budgets are the
   defaults (`worker.parse_cpu_s` of CPU time); a file that fails is listed with its reason.
2. Where the time goes: one job at a time in this process, through ProcessIngestion, over
   every PROFILE_EVERY-th PDF by name, summing the phase timings it reports to Metrics.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import ctypes
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import asyncpg
from dependency_injector import providers

from askdocs.application.ports import IngestionJob, JobAttempt
from askdocs.application.submit_document import Upload
from askdocs.domain.principals import Principal, Role
from askdocs.entrypoints.container import Container, build_container
from askdocs.entrypoints.settings import load_settings
from tests.benchmarks import run
from tests.support.postgres import migrated_schema

CACHE = Path(os.environ.get("ASKDOCS_BENCH_CACHE", Path.home() / ".cache" / "askdocs-bench"))
PDF_DIR = CACHE / "pdfs"
RUNS = ((1, 2), (2, 1), (2, 2))  # (worker processes, jobs each)
PROFILE_EVERY = 8
PRINCIPAL = Principal("bench", Role.ADMIN)
PHASES = ("parse", "embed", "store")
_STATUS = "SELECT status, error, pages_total FROM document_versions"
_PR_SET_CHILD_SUBREAPER = 36


class SummingMetrics:
    """Metrics keeping the sum of every observed value by name; counters and gauges dropped."""

    def __init__(self) -> None:
        self.sums: collections.defaultdict[str, float] = collections.defaultdict(float)

    def increment(
        self, name: str, *, amount: float = 1, tags: Mapping[str, str] | None = None
    ) -> None:
        pass

    def observe(self, name: str, value: float, *, tags: Mapping[str, str] | None = None) -> None:
        self.sums[name] += value

    def gauge(self, name: str, value: float, *, tags: Mapping[str, str] | None = None) -> None:
        pass


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pdf-limit", type=int, default=0, help="first N PDFs by name in --only ingestion"
    )


def settings_for(url: str, blobs: str, *, jobs: int = 2) -> dict[str, str]:
    return {
        "ASKDOCS_DATABASE__URL": url,
        "ASKDOCS_DOCUMENTS__BLOB_DIR": blobs,
        "ASKDOCS_DOCUMENTS__MAX_UPLOAD_BYTES": str(256 * 1024 * 1024),
        "ASKDOCS_WORKER__CONCURRENCY": str(jobs),
        "ASKDOCS_LOG__LEVEL": "WARNING",
    }


async def submit(container: Container, pdfs: list[Path]) -> list[IngestionJob]:
    submit_document = container.submit_document()
    jobs = []
    for path in pdfs:
        data = await asyncio.to_thread(path.read_bytes)
        submission = await submit_document.execute(Upload(data, path.name, PRINCIPAL))
        if submission.created:
            jobs.append(IngestionJob(submission.document.id, submission.version.number))
    return jobs


async def wait_until_settled(
    url: str, workers: list[subprocess.Popen[bytes]], logs: list[Path]
) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(url)
    try:
        while True:
            rows = await connection.fetch(_STATUS)
            if all(r["status"] in ("ready", "failed") for r in rows):
                return rows
            for worker, log in zip(workers, logs, strict=True):
                if worker.poll() is not None:
                    tail = log.read_text(errors="replace")[-3000:]
                    raise RuntimeError(f"a worker exited ({worker.returncode}) early:\n{tail}")
            await asyncio.sleep(0.25)
    finally:
        await connection.close()


def start_worker(env: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "askdocs.entrypoints.cli.main", "worker"]
    with log.open("w") as log_file:
        return subprocess.Popen(command, env=env, stdout=log_file, stderr=subprocess.STDOUT)


def busy_jiffies() -> tuple[int, int]:
    """(busy, total) clock ticks of every core since boot, from /proc/stat."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def children_of(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # a thread may end meanwhile
            children += [int(c) for c in (task / "children").read_text().split()]
    return children


def reap(orphans: list[int], deadline_s: float = 15.0) -> None:
    """Wait for the workers' own children (their forkservers), adopted by this process (a
    subreaper) when their worker exited, so that the time of the parse processes they reaped
    reaches RUSAGE_CHILDREN."""
    deadline = time.monotonic() + deadline_s
    for pid in orphans:
        while time.monotonic() < deadline:
            try:
                if os.waitpid(pid, os.WNOHANG)[0]:
                    break
            except ChildProcessError:
                break  # not adopted (no subreaper): its time is not counted
            time.sleep(0.05)


async def throughput(
    workers: int, jobs: int, pdfs: list[Path], logs: Path
) -> tuple[str, list[str]]:
    """The table row of a run with `workers` processes of `jobs` each, and a line per failure
    reason."""
    async for database in migrated_schema():
        with tempfile.TemporaryDirectory() as blobs:
            env = settings_for(database.url, blobs, jobs=jobs)
            container = build_container(load_settings(env))
            try:
                await submit(container, pdfs)
            finally:
                await container.database().close()
            cpu_before, (busy_before, total_before) = children_cpu_s(), busy_jiffies()
            started = time.perf_counter()
            log_paths = [logs / f"worker-{workers}x{jobs}-{n}.log" for n in range(workers)]
            processes = [start_worker({**os.environ, **env}, path) for path in log_paths]
            try:
                rows = await wait_until_settled(database.url, processes, log_paths)
                elapsed = time.perf_counter() - started
                busy_after, total_after = busy_jiffies()
            finally:
                orphans = [c for p in processes if p.poll() is None for c in children_of(p.pid)]
                for process in processes:
                    process.send_signal(signal.SIGTERM)
                for process in processes:
                    process.wait(timeout=60)
            reap(orphans)
            cpu = children_cpu_s() - cpu_before
            busy = (busy_after - busy_before) / (total_after - total_before)
    ready = [r for r in rows if r["status"] == "ready"]
    pages = sum(r["pages_total"] or 0 for r in ready)
    reasons = collections.Counter(r["error"] for r in rows if r["status"] == "failed")
    row = (
        f"| {workers} x {jobs} | {len(rows)} | {pages} | {len(rows) - len(ready)} | "
        f"{elapsed:.1f} | {pages / elapsed:.1f} | {len(rows) / elapsed:.2f} | {cpu:.0f} | "
        f"{busy:.0%} |"
    )
    return row, [f"{workers} x {jobs}: {n} failed: {why}" for why, n in reasons.items()]


async def phases(pdfs: list[Path]) -> list[str]:
    metrics = SummingMetrics()
    async for database in migrated_schema():
        with tempfile.TemporaryDirectory() as blobs:
            container = build_container(load_settings(settings_for(database.url, blobs)))
            container.metrics.override(providers.Object(metrics))
            try:
                jobs = await submit(container, pdfs)
                process = container.process_ingestion()
                started = time.perf_counter()
                ready = pages = 0
                for job in jobs:
                    outcome = await process.execute(JobAttempt(job, 1))
                    if outcome is not None and outcome.version.status == "ready":
                        ready, pages = ready + 1, pages + outcome.version.page_count
                elapsed = time.perf_counter() - started
            finally:
                await container.database().close()
    total = metrics.sums["ingest_seconds"]
    spent = {phase: metrics.sums[f"ingest_{phase}_seconds"] for phase in PHASES}
    spent["chunking + bookkeeping"] = total - sum(spent.values())
    lines = [
        f"where the time goes: {len(jobs)} PDFs (every {PROFILE_EVERY}th), {ready} ready, "
        f"{pages} pages, one job at a time in process, {elapsed:.1f} s wall, "
        f"{total:.1f} s in ingest_seconds of ready versions",
        "| phase | seconds | share |",
        "|---|---:|---:|",
    ]
    lines += [f"| {name} | {s:.1f} | {s / total:.0%} |" for name, s in spent.items()]
    lines.append(
        "(parse includes starting its child process and shipping the bytes and pages across)"
    )
    return lines


async def measure(pdfs: list[Path], logs: Path) -> list[str]:
    lines = [f"ingestion: {len(pdfs)} PDFs from {PDF_DIR}, hashing embedder, pgvector"]
    lines += [
        "| workers x jobs | versions | pages ready | failed | wall s | pages/s | docs/s | "
        "worker CPU s | machine busy |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    failures = []
    for workers, jobs in RUNS:
        row, failed = await throughput(workers, jobs, pdfs, logs)
        run.log(row)
        lines.append(row)
        failures += failed
    lines += failures
    lines.append(
        "(wall: workers' start to the last version settled, start-up included; worker CPU: "
        "user + system of the workers and their parse processes; machine busy: of all "
        f"{os.cpu_count()} cores, PostgreSQL and anything else running included)"
    )
    lines += await phases(pdfs[::PROFILE_EVERY])
    return lines


def main_with(args: argparse.Namespace) -> int:
    pdfs = sorted(PDF_DIR.glob("*.pdf"))
    if not pdfs:
        print(f"no PDFs in {PDF_DIR}: run scripts/fetch-bench-pdfs.sh first", file=sys.stderr)
        return 2
    if args.pdf_limit > 0:
        pdfs = pdfs[: args.pdf_limit]
    if sys.platform == "linux":
        # Parse processes are children of each worker's forkserver: adopt the forkservers
        # when their worker exits, so their CPU time is counted.
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    with tempfile.TemporaryDirectory() as logs:
        lines = asyncio.run(measure(pdfs, Path(logs)))
    print("\n".join(lines))
    return 0
