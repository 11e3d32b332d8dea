"""Bulk ingestion of the PostgreSQL 15 manual: `nox -s bench -- --only ingest-manual`.

The pipeline a user runs: `askdocs serve` (its own worker off) and one `askdocs worker`, both
on a schema of the local PostgreSQL made for the run, and `askdocs ingest` uploading every
HTML page of the manual (1,169) and following them until each is ready. The clock runs from
starting `askdocs ingest` until it exits; the hashing embedder is the default, so the figure is
askdocs' own cost. `--ingest-baseline DIR` runs the same beside it from the askdocs package in
DIR (a checkout of the commit before a change, linked as DIR/askdocs), the two taking turns,
so their ratio holds on a noisy machine. `--ingest-rounds N` repeats the pair.

Where the time goes: the CPU seconds of each process while the manual went in, which a busy
machine changes less than the wall time: `askdocs ingest`, the server, the worker with its
parsing processes, and the PostgreSQL backends serving those two.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from tests.benchmarks import run
from tests.benchmarks.manual_corpus import (
    MANUAL,
    bench_schema,
    manual_pages_or_say_why,
    package_dirs,
)

INGEST_DEADLINE_S = 1800
CPU_COLUMNS = ("ingest", "serve", "worker", "postgres")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ingest-baseline",
        default="",
        help="in --only ingest-manual, also ingest with the askdocs package found in this folder",
    )
    parser.add_argument(
        "--ingest-rounds", type=int, default=1, help="in --only ingest-manual, runs of each code"
    )
    parser.add_argument(
        "--ingest-args",
        default="",
        help="in --only ingest-manual, extra `askdocs ingest` flags for the current code",
    )


def main_with(args: argparse.Namespace) -> int:
    pages = manual_pages_or_say_why()
    if not pages:
        return 2
    codes = package_dirs(args.ingest_baseline)
    lines = [
        f"ingest-manual: {len(pages)} pages of {MANUAL}; serve + 1 worker, PostgreSQL, "
        "hashing embedder",
        "| code | round | wall s | pages/s | exit | CPU s: ingest | serve | worker | postgres |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for turn in range(args.ingest_rounds):
        order = list(codes.items())
        for code, package_dir in order[::-1] if turn % 2 else order:
            flags = args.ingest_args.split() if code == "current" else []
            elapsed, status, cpu = asyncio.run(ingest_once(pages, package_dir, flags))
            row = (
                f"| {code} | {turn + 1} | {elapsed:.1f} | {len(pages) / elapsed:.1f} | {status} | "
                + " | ".join(f"{cpu[name]:.1f}" for name in CPU_COLUMNS)
                + " |"
            )
            run.log(row)
            lines.append(row)
    print("\n".join(lines))
    return 0


async def ingest_once(
    pages: list[Path], package_dir: str, flags: list[str]
) -> tuple[float, int, dict[str, float]]:
    """Seconds `askdocs ingest` took to upload and settle `pages`, its exit status, and the
    CPU seconds each process spent meanwhile."""
    async with bench_schema() as url:
        with tempfile.TemporaryDirectory() as blobs, served(url, blobs, package_dir) as processes:
            env = processes.env
            command = [sys.executable, "-m", "askdocs.entrypoints.cli.main", "ingest"]
            command += [*flags, *map(str, pages)]
            before = processes.cpu_s()
            cli_before = children_cpu_s()
            started = time.perf_counter()
            done = await asyncio.to_thread(
                subprocess.run,
                command,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=INGEST_DEADLINE_S,
            )
            elapsed = time.perf_counter() - started
            after = processes.cpu_s()
            cpu = {name: after[name] - before[name] for name in after}
            cpu["ingest"] = children_cpu_s() - cli_before
            return elapsed, done.returncode, cpu


@dataclasses.dataclass(frozen=True)
class Served:
    """A server and a worker, and the environment an `askdocs ingest` against them needs."""

    env: dict[str, str]
    server: int
    worker: int

    def cpu_s(self) -> dict[str, float]:
        """CPU seconds so far of the server, of the worker with its descendants (the parsing
        processes, once reaped), and of the PostgreSQL backends serving either of them."""
        ports = local_ports(tree_pids(self.server) + tree_pids(self.worker))
        return {
            "serve": tree_cpu_s(self.server),
            "worker": tree_cpu_s(self.worker),
            "postgres": sum(process_cpu_s(pid) for pid in postgres_backends(ports)),
        }


@contextlib.contextmanager
def served(url: str, blobs: str, package_dir: str) -> Iterator[Served]:
    """`askdocs serve` without its own worker, and one `askdocs worker`."""
    port = run.free_port()
    extra = {
        "ASKDOCS_DATABASE__URL": url,
        "ASKDOCS_WORKER__IN_SERVE": "false",
        "ASKDOCS_DATABASE__MIGRATE_ON_START": "false",
        **({"PYTHONPATH": package_dir} if package_dir else {}),
    }
    server, key = run.start_server(port, blobs, extra=extra, core=None)
    env: dict[str, str] = {
        **os.environ,
        **extra,
        "ASKDOCS_DOCUMENTS__BLOB_DIR": blobs,
        "ASKDOCS_LOG__LEVEL": "WARNING",
        "ASKDOCS_API_KEY": key,
        "ASKDOCS_URL": f"http://127.0.0.1:{port}",
    }
    worker = start_worker(env)
    try:
        yield Served(env, server.pid, worker.pid)
    finally:
        for process in (worker, server):
            process.terminate()
        for process in (worker, server):
            process.wait(timeout=60)


def start_worker(env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "askdocs.entrypoints.cli.main", "worker"]
    return subprocess.Popen(command, env=dict(env), stdout=subprocess.DEVNULL)


def process_cpu_s(pid: int, *, reaped_children: bool = False) -> float:
    """User + system seconds of a process (and of the children it has reaped); 0 once gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = sum(int(f) for f in fields[11 : 15 if reaped_children else 13])
    return ticks / os.sysconf("SC_CLK_TCK")


def tree_pids(pid: int) -> list[int]:
    """A process and its live descendants."""
    pids = [pid]
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                pids += tree_pids(int(child))
    return pids


def tree_cpu_s(pid: int) -> float:
    """CPU seconds of a process and its live descendants, each with the children it reaped."""
    return sum(process_cpu_s(p, reaped_children=True) for p in tree_pids(pid))


def local_ports(pids: list[int]) -> set[int]:
    """The local TCP ports of the sockets these processes hold."""
    inodes = set()
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    target = os.readlink(fd)
                    if target.startswith("socket:["):
                        inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def postgres_backends(client_ports: set[int]) -> list[int]:
    """PostgreSQL backends whose client connects from one of these ports (a backend names its
    client's address and port in its process title)."""
    backends = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                title = (entry / "cmdline").read_bytes().decode(errors="replace")
                port = re.search(r"\((\d+)\)", title) if title.startswith("postgres:") else None
                if port and int(port.group(1)) in client_ports:
                    backends.append(int(entry.name))
    return backends


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
