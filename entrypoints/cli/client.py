"""`askdocs ingest` and `askdocs ask`: HTTP clients of a running server.

They talk to the server over HTTP, so they behave the same against an embedded and a production
deployment. The key comes from ASKDOCS_API_KEY.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
from tqdm import tqdm

from askdocs.entrypoints.cli.idle_queue import IDLE_QUEUE_HINT_AFTER_S, IdleQueueWatch

TIMEOUT_S = 120.0
POLL_S = 0.5


def server_url(option: str | None, default: str) -> str:
    return (option or os.environ.get("ASKDOCS_URL") or default).rstrip("/")


def _client(url: str) -> httpx.Client:
    headers = {"X-API-Key": os.environ.get("ASKDOCS_API_KEY", "")}
    return httpx.Client(base_url=url, headers=headers, timeout=TIMEOUT_S)


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


def ingest(url: str, paths: Sequence[str], *, tags: str, wait: bool = True) -> int:
    """Upload every file, then follow each queued version until it is ready or failed.

    Exit status 1 when any file was refused or any version failed.
    """
    files = list(_files(paths))
    failures = 0
    queued: dict[str, str] = {}  # status URL -> file
    with _client(url) as client:
        with tqdm(files, unit="file", desc="upload", file=sys.stderr) as progress:
            for path in progress:
                progress.set_postfix_str(path.name[:40])
                outcome = _upload(client, path, tags)
                if outcome is None:
                    failures += 1
                elif outcome["status"] in ("queued", "processing"):
                    queued[outcome["status_url"]] = str(path)
        if wait and queued:
            failures += _follow(client, queued)
    print(f"{len(files) - failures} of {len(files)} files ingested")
    return 1 if failures else 0


def _upload(client: httpx.Client, path: Path, tags: str) -> dict[str, Any] | None:
    try:
        response = client.post(
            "/api/v1/docs",
            files={"file": (path.name, path.read_bytes())},
            data={"tags": tags} if tags else None,
        )
    except (OSError, httpx.HTTPError) as exc:
        tqdm.write(f"{path}: {exc}", file=sys.stderr)
        return None
    if not response.is_success:
        tqdm.write(f"{path}: {_problem(response)}", file=sys.stderr)
        return None
    body: dict[str, Any] = response.json()
    return body


def _follow(client: httpx.Client, queued: dict[str, str]) -> int:
    """Poll each version's status until all are settled; how many failed."""
    failures = 0
    pending = dict(queued)
    watch = IdleQueueWatch(started_at=time.monotonic(), after_s=IDLE_QUEUE_HINT_AFTER_S)
    with tqdm(total=len(pending), unit="file", desc="ingest", file=sys.stderr) as progress:
        while pending:
            for status_url, name in list(pending.items()):
                try:
                    response = client.get(status_url)
                except httpx.HTTPError as exc:
                    tqdm.write(f"{name}: {exc}", file=sys.stderr)
                    continue
                version = response.json() if response.is_success else {}
                status = version.get("status")
                watch.observe(status)
                if status in ("ready", "failed") or not response.is_success:
                    del pending[status_url]
                    progress.update(1)
                    if status == "ready":
                        tqdm.write(f"{name}: ready ({version.get('page_count')} pages)")
                    else:
                        failures += 1
                        reason = version.get("error") or _problem(response)
                        tqdm.write(f"{name}: failed: {reason}", file=sys.stderr)
                elif version.get("pages_total"):
                    progress.set_postfix_str(
                        f"{name[-30:]} {version['pages_done']}/{version['pages_total']} pages"
                    )
            if watch.hint_due(time.monotonic()):
                tqdm.write(watch.hint, file=sys.stderr)
            if pending:
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
