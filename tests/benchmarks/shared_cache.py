"""Cached /api/v1/chat with the answer cache in Redis, beside the in-process cache, at 64 clients.

`nox -s bench -- --only cache`. Documents live in PostgreSQL (a throwaway migrated schema of
the local server), so every worker of every run answers from one corpus. Rate limits and
conversation memory are in Redis in every run but the last, so the first two differ only by
where the answer cache lives:

1. answer cache in Redis (the shared deployment);
2. answer cache in process (each worker warms its own);
3. cache, limits and memory all in process (no Redis at all), for reference.

Each runs with 1 worker (pinned to core 0, wrk to core 1) and with 2 workers (unpinned: the
workers, Redis, PostgreSQL and wrk share both cores). The wrk script cycles through four
questions, so after each worker's first miss every request is a cache hit.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import uuid

import httpx
import redis.asyncio as redis

from tests.benchmarks import run
from tests.support.postgres import migrated_schema
from tests.support.redis import redis_url

CLIENTS = 64
CONFIGURATIONS = {
    "answer cache in Redis": {"ASKDOCS_CACHE__BACKEND": "redis"},
    "answer cache in process": {"ASKDOCS_CACHE__BACKEND": "memory"},
    "no Redis (cache, limits, memory in process)": {
        "ASKDOCS_CACHE__BACKEND": "memory",
        "ASKDOCS_RATE_LIMIT__BACKEND": "memory",
        "ASKDOCS_CONVERSATIONS__BACKEND": "memory",
        "ASKDOCS_PROVIDER_HEALTH__BACKEND": "memory",
    },
}


def ingest(port: int, key: str) -> int:
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"X-API-Key": key}) as client:
        return run.ingest_corpus(client)


async def measure(args: argparse.Namespace) -> list[str]:
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    base = {
        "ASKDOCS_REDIS__URL": redis_url(),
        "ASKDOCS_REDIS__PREFIX": prefix,
    }
    lines = []
    async for database in migrated_schema():
        base["ASKDOCS_DATABASE__URL"] = database.url
        with tempfile.TemporaryDirectory() as blobs:
            ingested = False
            for workers, server_core, wrk_core in ((1, "0", "1"), (2, None, None)):
                for label, settings in CONFIGURATIONS.items():
                    extra = {**base, **settings, "ASKDOCS_SERVER__WORKERS": str(workers)}
                    port = run.free_port()
                    server, key = run.start_server(port, blobs, extra=extra, core=server_core)
                    try:
                        if not ingested:
                            run.log(f"corpus: {ingest(port, key)} files ingested")
                            ingested = True
                        options = {"vary": False, "clients": CLIENTS, "core": wrk_core}
                        run.load(port, key, seconds=2, **options)  # warm-up: every worker
                        f = run.load(port, key, seconds=args.seconds, **options)
                    finally:
                        server.terminate()
                        server.wait(timeout=30)
                    line = (
                        f"| {label} | {workers} | {f['rps']:.0f} | {f['p50_ms']:.2f} | "
                        f"{f['p99_ms']:.2f} | {f['errors']:.0f} / {f['non2xx']:.0f} |"
                    )
                    run.log(line)
                    lines.append(line)
    client = redis.Redis.from_url(redis_url())
    async for name in client.scan_iter(match=f"{prefix}:*", count=1000):
        await client.delete(name)
    await client.aclose()
    return lines


def main_with(args: argparse.Namespace) -> int:
    if not run.have_wrk():
        return 2
    lines = asyncio.run(measure(args))
    print(f"cached POST /api/v1/chat, {CLIENTS} clients, {args.seconds} s per run")
    print("| setup | workers | req/s | p50 ms | p99 ms | errors / non-2xx |")
    print("|---|---:|---:|---:|---:|---|")
    print("\n".join(lines))
    return 0
