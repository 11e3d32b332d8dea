"""`askdocs ingest` and `askdocs ask`: HTTP clients of a running server.

They talk to the server over HTTP, so they behave the same against an embedded and a production
deployment. The key comes from ASKDOCS_API_KEY.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
from tqdm import tqdm

TIMEOUT_S = 120.0


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


def ingest(url: str, paths: Sequence[str], *, tags: str) -> int:
    """Upload every file; exit status 1 when any was refused."""
    files = list(_files(paths))
    failures = 0
    with _client(url) as client, tqdm(files, unit="file", file=sys.stderr) as progress:
        for path in progress:
            progress.set_postfix_str(path.name[:40])
            try:
                response = client.post(
                    "/api/v1/docs",
                    files={"file": (path.name, path.read_bytes())},
                    data={"tags": tags} if tags else None,
                )
            except (OSError, httpx.HTTPError) as exc:
                failures += 1
                tqdm.write(f"{path}: {exc}", file=sys.stderr)
                continue
            if response.is_success:
                body = response.json()
                tqdm.write(f"{path}: {body['status']} ({body['document_id']} v{body['version']})")
            else:
                failures += 1
                tqdm.write(f"{path}: {_problem(response)}", file=sys.stderr)
    print(f"{len(files) - failures} of {len(files)} files ingested")
    return 1 if failures else 0


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
