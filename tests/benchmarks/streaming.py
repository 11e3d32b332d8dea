"""Streamed answers through askdocs from a local OpenAI-compatible provider.

`nox -s bench -- --only streaming`. Three processes on one machine:
- the provider: tests/support/fake_llm.py in a process of its own, streaming 200 tokens per
  answer as fast as it can write them;
- askdocs: `askdocs serve`, one worker, the provider first and the extractive answerer behind
  it, the 19 license texts and PDFs of the chat benchmark as its corpus;
- the client: asyncio + httpx, `CONCURRENCY` streams at a time, every question distinct (so every
  one misses the answer cache and reaches the provider).

Per stream, with time.monotonic() (one clock for every process of a machine):
- relay: the client's first `delta` event minus the provider's sending of its first token;
- pipeline: the provider's receipt of the request minus the client's sending of it, that is
  authentication, rate limiting, the cache lookup, retrieval and the prompt;
- streams/s: streams completed per second of the run, for the one worker.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import tempfile
import time
from collections.abc import AsyncIterator
from multiprocessing.connection import Connection
from pathlib import Path

import httpx
import numpy as np
from dependency_injector import providers

from askdocs.application.api_keys import new_token
from askdocs.application.ingest_document import Upload
from askdocs.application.ports import ChatRequest, Delta, StreamEvent
from askdocs.domain.answers import Completion
from askdocs.domain.principals import Principal, Role, token_digest
from askdocs.entrypoints.container import build_container
from askdocs.entrypoints.http.app import create_app
from askdocs.entrypoints.logging import configure_logging
from askdocs.entrypoints.settings import load_settings
from tests.benchmarks import run

TOKEN = new_token()

CONCURRENCY = 32
TOKENS = 200
# Seconds between two tokens: a hosted model's pace (~50 tokens/s), then as fast as the
# provider can write (what bounds streams/s).
PACES = (("paced, 50 tokens/s per stream", 0.02), ("flat out", 0.0))


def serve_provider(pipe: Connection) -> None:
    """The fake provider, in a process of its own. Commands on `pipe`: ("pace", seconds
    between tokens), ("records",) answered with (question, received, first token) of every
    completion since the last, ("stop",)."""
    from tests.support.fake_llm import FakeLLM, Reply

    pieces = [f"tok{n} " for n in range(TOKENS)]
    with FakeLLM.running(models=["bench"]) as fake:
        pipe.send(fake.openai_base_url)
        while True:
            command, *rest = pipe.recv()
            if command == "pace":
                fake.set_default(Reply.from_chunks(pieces, chunk_delay=rest[0]))
            elif command == "records":
                pipe.send(
                    [
                        (_question_of(r.request.messages), r.request.received_at, r.first_chunk_at)
                        for r in fake.completions
                    ]
                )
                fake.reset()
            else:
                return


def _question_of(messages: list[dict[str, object]]) -> str:
    """The question at the end of askdocs' prompt (after its sources)."""
    return str(messages[-1]["content"]).rsplit("\nQuestion:\n", 1)[-1]


async def one_stream(client: httpx.AsyncClient, question: str) -> tuple[float, float, bool]:
    """(sent at, first delta at, completed) of one streamed question."""
    sent = time.monotonic()
    first = 0.0
    completed = False
    body = {"question": question, "stream": True}
    async with client.stream("POST", "/api/v1/chat", json=body) as response:
        event = ""
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
                if event == "delta" and not first:
                    first = time.monotonic()
                completed = completed or event == "done"
    return sent, first, completed


async def load(
    url: str, key: str, streams: int, label: str
) -> tuple[list[tuple[str, float, float, bool]], float]:
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    headers = {"X-API-Key": key}
    async with httpx.AsyncClient(
        base_url=url, headers=headers, limits=limits, timeout=60
    ) as client:
        gate = asyncio.Semaphore(CONCURRENCY)
        results: list[tuple[str, float, float, bool]] = []

        async def stream(n: int) -> None:
            question = f"What does the licence say about copies, {label} case {n}?"
            async with gate:
                sent, first, completed = await one_stream(client, question)
            results.append((question, sent, first, completed))

        await stream(-1)  # warm-up: connections, first provider call
        results.clear()
        started = time.monotonic()
        await asyncio.gather(*(stream(n) for n in range(streams)))
        return results, time.monotonic() - started


def percentiles(values_ms: list[float]) -> str:
    a = np.asarray(values_ms)
    return f"p50 {np.percentile(a, 50):.2f} ms, p99 {np.percentile(a, 99):.2f} ms"


def summary(
    label: str,
    results: list[tuple[str, float, float, bool]],
    elapsed: float,
    provider_times: dict[str, tuple[float, float | None]],
) -> list[str]:
    relay, pipeline = [], []
    for question, sent, first_delta, completed in results:
        received, first_token = provider_times[question]
        if completed and first_token is not None:
            relay.append((first_delta - first_token) * 1000)
            pipeline.append((received - sent) * 1000)
    done = sum(1 for *_, completed in results if completed)
    return [
        f"{label}: {done} of {len(results)} streams completed, {done / elapsed:.1f} streams/s",
        f"  provider's first token -> client's first delta: {percentiles(relay)}",
        f"  client's request -> provider's receipt (the pipeline): {percentiles(pipeline)}",
    ]


class RecordingModel:
    """A ChatModel that notes when the pipeline reached it and answers at once."""

    name, models = "recording", ("recording",)

    def __init__(self) -> None:
        self.called_at = 0.0

    async def complete(self, request: ChatRequest) -> Completion:
        self.called_at = time.monotonic()
        return Completion("An answer [1].", (1,), "recording", self.name)

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        completion = await self.complete(request)
        yield Delta(completion.text)
        yield completion


async def pipeline_in_process(requests: int) -> list[str]:
    """Per request, in one process with nothing else running: the client's send to the chat
    model's call (authentication, limits, cache lookup, retrieval, prompt), one at a time."""
    keys = {"ASKDOCS_AUTH__API_KEYS": f"{token_digest(TOKEN)}:admin"}
    configure_logging(level="WARNING", json=True)  # as `serve` does: no line per request
    with tempfile.TemporaryDirectory() as blobs:
        settings = load_settings(
            {"ASKDOCS_DOCUMENTS__BLOB_DIR": blobs, "ASKDOCS_LOG__LEVEL": "WARNING", **keys}
        )
        container = build_container(settings)
        model = RecordingModel()
        container.chat_model.override(providers.Object(model))
        transport = httpx.ASGITransport(app=create_app(container))
        headers = {"X-API-Key": TOKEN}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://askdocs", headers=headers
        ) as client:
            # No lifespan here, so no worker: the corpus is ingested in this task instead.
            ingest = container.ingest_document()
            for path in run.CORPUS:
                data = await asyncio.to_thread(Path(path).read_bytes)
                await ingest.execute(Upload(data, path.name, Principal("bench", Role.ADMIN)))
            spent = []
            for n in range(requests + 50):
                body = {"question": f"What does the licence say about copies, case {n}?"}
                sent = time.monotonic()
                (
                    await client.post("/api/v1/chat", json={**body, "stream": True})
                ).raise_for_status()
                if n >= 50:  # the first ones warm up
                    spent.append((model.called_at - sent) * 1000)
    return [f"pipeline in process, one request at a time ({requests}): {percentiles(spent)}"]


def main_with(args: argparse.Namespace) -> int:
    streams = max(args.streams, CONCURRENCY)
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    provider = context.Process(target=serve_provider, args=(child,), daemon=True)
    provider.start()
    provider_url = parent.recv()
    settings = {
        "ASKDOCS_LLM__PROVIDERS": "local,extractive",
        "ASKDOCS_LLM__LOCAL__BASE_URL": provider_url,
        "ASKDOCS_LLM__LOCAL__MODELS": "bench",
    }
    port = run.free_port()
    lines = [f"streamed answers of {TOKENS} tokens, {CONCURRENCY} at a time, 1 worker"]
    with tempfile.TemporaryDirectory() as blobs:
        server, key = run.start_server(port, blobs, extra=settings, core=None)
        try:
            with httpx.Client(
                base_url=f"http://127.0.0.1:{port}", headers={"X-API-Key": key}
            ) as client:
                run.ingest_corpus(client)
            for label, pace in PACES:
                parent.send(("pace", pace))
                results, elapsed = asyncio.run(
                    load(f"http://127.0.0.1:{port}", key, streams, label)
                )
                parent.send(("records",))
                times = {question: (received, first) for question, received, first in parent.recv()}
                lines.extend(summary(label, results, elapsed, times))
        finally:
            server.terminate()
            server.wait(timeout=30)
            parent.send(("stop",))
            provider.join(timeout=30)
    lines.extend(asyncio.run(pipeline_in_process(300)))
    print("\n".join(lines))
    return 0
