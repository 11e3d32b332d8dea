"""`nox -s bench`: chunker throughput and /api/v1/chat under load on the embedded defaults.

`--only streaming` streams answers from a local OpenAI-compatible provider
(tests/benchmarks/streaming.py). `--only ingestion` takes real PDFs from the queue to `ready`
with 1 and 2 `askdocs worker` processes and shows where ingestion's time goes
(tests/benchmarks/ingestion.py). `--only ingest-manual` times `askdocs ingest` of the
PostgreSQL 15 manual through serve and one worker (tests/benchmarks/ingest_manual.py).
`--only manual` asks distinct questions about the PostgreSQL 15 manual (8,000-odd chunks)
on the embedded defaults and on PostgreSQL, with 1 and 16 clients
(tests/benchmarks/manual.py). `--only cache` runs the cached chat path with the answer cache
in Redis beside the in-process cache (tests/benchmarks/shared_cache.py). `--vectors` adds the
vector index benchmark (tests/benchmarks/vector_index.py: PgVectorIndex on the local PostgreSQL
beside the in-memory index, real MiniLM vectors); `--only vectors` runs just that, `--only chat`
just the chat benchmark (the default). `--peer` (or `--only peer`) measures askdocs beside the
FastAPI + LlamaIndex + pgvector service it replaces, over the PostgreSQL 15 manual: cached and
uncached chat, ingestion and recall@5, as one table of ratios (tests/benchmarks/peer.py; the
peer runs from a virtualenv of its own, which `nox -s bench -- --peer` makes). `--only
frontier` sweeps HNSW types and ef_search over the vector benchmark's vectors
(tests/benchmarks/vector_frontier.py), `--only million` searches 1M chunks of hashing vectors
(tests/benchmarks/vector_million.py). `--only search-plans` runs the hybrid statement under
EXPLAIN ANALYZE at 1k, 10k and 100k chunks (tests/benchmarks/search_plans.py). `--only
metrics-cost` runs the cached chat with each metrics backend in turn
(tests/benchmarks/metrics_cost.py). `--only embedders` times each embedding model installed
(tests/benchmarks/embedding_models.py).

The server runs as a real `askdocs serve` process pinned to one core, and wrk (a C load
generator; a Python client would saturate first) to the other. Cached and uncached runs happen
side by side in one invocation so their ratio is meaningful on a noisy shared machine.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from askdocs.adapters.tokenizers import TiktokenTokenizer
from askdocs.domain.chunking import ChunkingPolicy
from askdocs.domain.structured_chunks import chunk_page
from tests.benchmarks import (
    embedding_models,
    frozen_redis,
    ingest_manual,
    ingestion,
    key_lookup,
    manual,
    metrics_cost,
    peer,
    search_plans,
    shared_cache,
    streaming,
    vector_frontier,
    vector_index,
    vector_million,
)
from tests.support.settings_wiring import from_settings

CORPUS = [
    *sorted(Path("/usr/share/common-licenses").glob("*")),
    Path("/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf"),
    Path("/usr/share/doc/libtasn1-doc/libtasn1.pdf"),
]
LUA = Path(__file__).with_name("chat.lua")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ingest_corpus(client: httpx.Client) -> int:
    """Upload the corpus and wait until the server's worker has made every file ready."""
    status_urls = []
    for path in CORPUS:
        if path.is_file():
            files = {"file": (path.name, path.read_bytes())}
            response = client.post("/api/v1/docs", files=files, timeout=120)
            response.raise_for_status()
            status_urls.append(response.json()["status_url"])
    deadline = time.monotonic() + 300
    while status_urls:
        status = client.get(status_urls[-1], timeout=30).json()["status"]
        if status == "failed":
            raise RuntimeError(f"a corpus file failed to ingest: {status_urls[-1]}")
        if status == "ready":
            status_urls.pop()
        elif time.monotonic() > deadline:
            raise RuntimeError("the corpus was not ingested within 300 s")
        else:
            time.sleep(0.1)
    return sum(1 for path in CORPUS if path.is_file())


def have_wrk() -> bool:
    if shutil.which("wrk") is None:
        print("wrk is needed: apt-get install wrk", file=sys.stderr)
        return False
    return True


def chunker_throughput(repeat: int) -> tuple[float, int]:
    """MB/s of real text through the structure-aware chunker, as ingestion cuts a page."""
    text = "\n\n".join(
        p.read_text(errors="replace") for p in CORPUS if p.is_file() and p.suffix != ".pdf"
    )
    tokenizer, policy = (
        from_settings(TiktokenTokenizer),
        from_settings(ChunkingPolicy),
    )
    started = time.perf_counter()
    for _ in range(repeat):
        chunk_page(text, tokenizer.count, policy)
    elapsed = time.perf_counter() - started
    return len(text.encode()) * repeat / elapsed / 1e6, len(text.encode())


def process_cpu_s(pid: int) -> float:
    """CPU seconds process `pid` has spent (user and system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    port: int,
    blob_dir: str,
    *,
    extra: dict[str, str] | None = None,
    core: str | None = "0",
    stored_key: str | None = None,
) -> tuple[subprocess.Popen[str], str]:
    """A real `askdocs serve` process, pinned to `core` (None: free to use every core).

    A server prints the admin key it stores on its first start; one started on a database
    that already holds a key prints none: pass that key as `stored_key`.
    """
    env = {
        **os.environ,
        "ASKDOCS_SERVER__PORT": str(port),
        "ASKDOCS_DOCUMENTS__BLOB_DIR": blob_dir,
        "ASKDOCS_LOG__LEVEL": "WARNING",
        "ASKDOCS_RATE_LIMIT__ADMIN__CHAT_PER_WINDOW": "100000000",
        **(extra or {}),
    }
    env.pop("ASKDOCS_AUTH__API_KEYS", None)
    command = [sys.executable, "-m", "askdocs.entrypoints.cli.main", "serve"]
    if core is not None and shutil.which("taskset"):
        command = ["taskset", "-c", core, *command]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    key = stored_key or server.stdout.readline().strip().removeprefix("admin API key: ")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/live").is_success:
                return server, key
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not come up")


def load(
    port: int,
    key: str,
    *,
    vary: bool,
    seconds: int,
    clients: int,
    core: str | None = "1",
    script: Path = LUA,
    run: int = 0,
    timeout_s: int | None = None,
) -> dict[str, float]:
    """wrk's figures for `script` against the server on `port`; `run` numbers the run for a
    script whose questions must differ from one run to the next (manual.lua)."""
    command = ["wrk", f"-t{min(clients, 2)}", f"-c{clients}", f"-d{seconds}s", "-s", str(script)]
    if timeout_s is not None:
        command.append(f"--timeout={timeout_s}s")
    if core is not None and shutil.which("taskset"):
        command = ["taskset", "-c", core, *command]
    env = {
        **os.environ,
        "ASKDOCS_API_KEY": key,
        "ASKDOCS_BENCH_VARY": "1" if vary else "0",
        "ASKDOCS_BENCH_RUN": str(run),
    }
    result = subprocess.run(
        [*command, f"http://127.0.0.1:{port}"], env=env, capture_output=True, text=True, check=True
    )
    match = re.search(r"^RESULT (.*)$", result.stdout, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"wrk printed no result:\n{result.stdout}\n{result.stderr}")
    figures = {k: float(v) for k, v in (pair.split("=") for pair in match.group(1).split())}
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--vectors", action="store_true", help="run the vector benchmark too")
    parser.add_argument(
        "--only",
        choices=(
            "chat",
            "vectors",
            "frontier",
            "million",
            "search-plans",
            "cache",
            "streaming",
            "ingestion",
            "ingest-manual",
            "manual",
            "keys",
            "frozen-redis",
            "metrics-cost",
            "embedders",
            "peer",
        ),
        help="run just this benchmark",
    )
    parser.add_argument("--streams", type=int, default=640, help="streams in --only streaming")
    parser.add_argument(
        "--peer", action="store_true", help="run just the FastAPI + LlamaIndex comparison"
    )
    vector_index.add_arguments(parser)
    vector_frontier.add_arguments(parser)
    vector_million.add_arguments(parser)
    ingestion.add_arguments(parser)
    ingest_manual.add_arguments(parser)
    manual.add_arguments(parser)
    key_lookup.add_arguments(parser)
    frozen_redis.add_arguments(parser)
    metrics_cost.add_arguments(parser)
    embedding_models.add_arguments(parser)
    args = parser.parse_args()
    alone = {
        "cache": shared_cache.main_with,
        "streaming": streaming.main_with,
        "ingestion": ingestion.main_with,
        "ingest-manual": ingest_manual.main_with,
        "manual": manual.main_with,
        "frontier": vector_frontier.main_with,
        "million": vector_million.main_with,
        "search-plans": search_plans.main_with,
        "keys": key_lookup.main_with,
        "frozen-redis": frozen_redis.main_with,
        "metrics-cost": metrics_cost.main_with,
        "embedders": embedding_models.main_with,
    }
    if args.only in alone:
        return alone[args.only](args)
    if args.peer or args.only == "peer":
        return peer.main_with(args)
    status = 0
    if args.only != "vectors":
        status = chat(args)
    if status == 0 and (args.vectors or args.only == "vectors"):
        status = vector_index.main_with(args)
    return status


def chat(args: argparse.Namespace) -> int:
    if not have_wrk():
        return 2
    mb_s, size = chunker_throughput(repeat=5)
    print(
        f"chunker: {mb_s:.2f} MB/s over {size / 1e6:.2f} MB of text (256-token chunks, 32 overlap)"
    )
    port = free_port()
    with tempfile.TemporaryDirectory() as blobs:
        server, key = start_server(port, blobs)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"X-API-Key": key}) as c:
                chunks = ingest_corpus(c)
            print(f"corpus: {chunks} files ingested; {args.clients} clients, {args.seconds} s each")
            load(port, key, vary=False, seconds=2, clients=args.clients)  # warm-up
            for label, vary in (("cached", False), ("uncached", True)):
                f = load(port, key, vary=vary, seconds=args.seconds, clients=args.clients)
                print(
                    f"chat {label}: {f['rps']:.0f} req/s, p50 {f['p50_ms']:.2f} ms, "
                    f"p99 {f['p99_ms']:.2f} ms, errors {f['errors']:.0f}, non-2xx {f['non2xx']:.0f}"
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
