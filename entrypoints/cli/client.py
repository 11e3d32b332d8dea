"""`askdocs ingest` and `askdocs ask`: HTTP clients of a running server.

They talk to the server over HTTP, so they behave the same against an embedded and a production
deployment. The key comes from ASKDOCS_API_KEY.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from tqdm import tqdm

from askdocs.entrypoints.cli.idle_queue import IDLE_QUEUE_HINT_AFTER_S, IdleQueueWatch

TIMEOUT_S = 120.0
POLL_S = 0.5
UPLOADS = 4
"""Uploads `askdocs ingest` keeps in flight by default (`--concurrency`): enough to keep a
server busy while each one's request crosses the network, few enough not to crowd out others."""


def server_url(option: str | None, default: str) -> str:
    return (option or os.environ.get("ASKDOCS_URL") or default).rstrip("/")


def _client(url: str, *, connections: int = 1) -> httpx.Client:
    headers = {"X-API-Key": os.environ.get("ASKDOCS_API_KEY", "")}
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.Client(base_url=url, headers=headers, timeout=TIMEOUT_S, limits=limits)


def _files(paths: Sequence[str]) -> Iterator[Path]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")
            )
        else:
            yield path


def _problem(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    return f"HTTP {response.status_code}: {body.get('detail') or body.get('title')}"


def ingest(
    url: str, paths: Sequence[str], *, tags: str, wait: bool = True, concurrency: int = UPLOADS
) -> int:
    """Upload every file, `concurrency` at a time, then follow each queued version until it
    is ready or failed.

    Each file's result (refused, ready, failed) is printed in the order of the files, whatever
    order the uploads finish in. Exit status 1 when any file was refused or any version failed.
    """
    files = list(_files(paths))
    failures = 0
    queued: dict[str, str] = {}  # status URL -> file, in the order of the files
    with _client(url, connections=concurrency) as client:
        with ThreadPoolExecutor(concurrency, thread_name_prefix="upload") as uploads:
            # map() runs at most `concurrency` uploads at once and yields in the files' order.
            outcomes = uploads.map(lambda path: _upload(client, path, tags), files)
            with tqdm(total=len(files), unit="file", desc="upload", file=sys.stderr) as progress:
                for path, outcome in zip(files, outcomes, strict=True):
                    progress.update(1)
                    progress.set_postfix_str(path.name[:40])
                    if isinstance(outcome, str):
                        failures += 1
                        tqdm.write(f"{path}: {outcome}", file=sys.stderr)
                    elif outcome["status"] in ("queued", "processing"):
                        queued[outcome["status_url"]] = str(path)
        if wait and queued:
            failures += _follow(client, queued)
    print(f"{len(files) - failures} of {len(files)} files ingested")
    return 1 if failures else 0


def _upload(client: httpx.Client, path: Path, tags: str) -> dict[str, Any] | str:
    """The server's answer to the upload, or why the file was not accepted."""
    try:
        response = client.post(
            "/api/v1/docs",
            files={"file": (path.name, path.read_bytes())},
            data={"tags": tags} if tags else None,
        )
    except (OSError, httpx.HTTPError) as exc:
        return str(exc) or type(exc).__name__
    if not response.is_success:
        return _problem(response)
    body: dict[str, Any] = response.json()
    return body


def _follow(client: httpx.Client, queued: dict[str, str]) -> int:
    """Poll the versions until all are settled, reporting each in the order of the files; how
    many failed.

    Workers take jobs in the order they were queued, so the versions settle roughly in that
    order: each round polls the first unsettled version until it settles, then the next,
    rather than every version every round (thousands of requests a second for a folder of a
    thousand files, which the server would spend its time answering).
    """
    failures = 0
    pending = list(queued.items())
    watch = IdleQueueWatch(started_at=time.monotonic(), after_s=IDLE_QUEUE_HINT_AFTER_S)
    with tqdm(total=len(pending), unit="file", desc="ingest", file=sys.stderr) as progress:
        while pending:
            status_url, name = pending[0]
            try:
                response = client.get(status_url)
            except httpx.HTTPError as exc:
                tqdm.write(f"{name}: {exc}", file=sys.stderr)
                time.sleep(POLL_S)
                continue
            version = response.json() if response.is_success else {}
            status = version.get("status")
            watch.observe(status)
            if status in ("ready", "failed") or not response.is_success:
                pending.pop(0)
                progress.update(1)
                if status == "ready":
                    tqdm.write(f"{name}: ready ({version.get('page_count')} pages)")
                else:
                    failures += 1
                    reason = version.get("error") or _problem(response)
                    tqdm.write(f"{name}: failed: {reason}", file=sys.stderr)
                continue
            if version.get("pages_total"):
                progress.set_postfix_str(
                    f"{name[-30:]} {version['pages_done']}/{version['pages_total']} pages"
                )
            if watch.hint_due(time.monotonic()):
                tqdm.write(watch.hint, file=sys.stderr)
            time.sleep(POLL_S)
    return failures


def ask(url: str, question: str, *, session: str | None, tags: str, top_k: int | None) -> int:
    """Print the answer and its sources."""
    body: dict[str, object] = {"question": question, "session_id": session}
    if tags:
        body["tags"] = [t for t in tags.split(",") if t.strip()]
    if top_k is not None:
        body["top_k"] = top_k
    try:
        with _client(url) as client:
            response = client.post("/api/v1/chat", json=body)
    except httpx.HTTPError as exc:
        print(f"cannot reach {url}: {exc}", file=sys.stderr)
        return 1
    if not response.is_success:
        print(_problem(response), file=sys.stderr)
        return 1
    reply = response.json()
    print(reply["answer"])
    for n, source in enumerate(reply["sources"], start=1):
        page = f", page {source['page']}" if source["page"] is not None else ""
        print(f"  [{n}] {source['document']}{page}")
    print(f"(session {reply['session_id']})", file=sys.stderr)
    return 0
