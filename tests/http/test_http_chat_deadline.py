"""A chat ends by its deadline with the apology, however many providers hang: three
providers that never answer, each given 2 s, would otherwise keep it waiting 6 s."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from askdocs.domain.answers import APOLOGY
from tests.http.test_http_chat_streaming import events_of
from tests.support.fake_llm import FakeLLM, Hang

QUESTION = "Where must bicycles be stored?"
PROVIDER_TIMEOUT_S = 2.0
DEADLINE_S = 1.0
LATE_S = 3 * PROVIDER_TIMEOUT_S


@pytest.fixture(scope="module")
def hanging() -> Iterator[FakeLLM]:
    """An OpenAI-compatible server that accepts every request and never answers."""
    with FakeLLM.running(default=Hang()) as fake:
        yield fake


@pytest.fixture
async def api(start_api: Any, hanging: FakeLLM, handbook: Any) -> Any:
    """Three providers, all on the hanging server, and a chat deadline shorter than one
    provider's timeout."""
    settings = {
        "ASKDOCS_LLM__PROVIDERS": "first,second,third",
        "ASKDOCS_LLM__TIMEOUT_S": str(PROVIDER_TIMEOUT_S),
        "ASKDOCS_LLM__DEADLINE_S": str(DEADLINE_S),
    }
    for name in ("FIRST", "SECOND", "THIRD"):
        settings |= {
            f"ASKDOCS_LLM__{name}__KIND": "openai",
            f"ASKDOCS_LLM__{name}__BASE_URL": hanging.openai_base_url,
            f"ASKDOCS_LLM__{name}__API_KEY": "sk-test",
            f"ASKDOCS_LLM__{name}__MODELS": "fake-model",
        }
    started = await start_api(settings)
    await started.upload_ok(handbook.name, handbook.pdf)
    return started


async def test_a_chat_past_its_deadline_is_the_apology_at_the_deadline(api: Any) -> None:
    started = time.monotonic()

    reply = await api.ask(QUESTION)

    elapsed = time.monotonic() - started
    assert (reply["answer"], reply["degraded"]) == (APOLOGY, True)
    assert DEADLINE_S <= elapsed < LATE_S / 2


async def test_a_stream_not_begun_by_its_deadline_streams_the_apology(api: Any) -> None:
    started = time.monotonic()

    events = events_of(await api.chat(QUESTION, stream=True))

    elapsed = time.monotonic() - started
    assert [name for name, _ in events] == ["meta", "delta", "done"]
    assert events[1][1]["text"] == APOLOGY
    assert events[2][1]["degraded"] is True
    assert DEADLINE_S <= elapsed < LATE_S / 2


async def test_the_openai_compatible_route_keeps_the_deadline_too(api: Any) -> None:
    body = {"model": "fake-model", "messages": [{"role": "user", "content": QUESTION}]}
    started = time.monotonic()

    response = await api.client.post("/v1/chat/completions", json=body, headers=api.auth("reader"))

    elapsed = time.monotonic() - started
    assert response.status_code == 200, response.text
    assert response.json()["choices"][0]["message"]["content"] == APOLOGY
    assert response.json()["askdocs"]["degraded"] is True
    assert DEADLINE_S <= elapsed < LATE_S / 2
