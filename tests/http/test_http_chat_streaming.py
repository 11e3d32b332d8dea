"""Streamed answers over HTTP (SSE on /api/v1/chat) and the OpenAI-compatible /v1 API."""

from __future__ import annotations

import json
from typing import Any

import httpx
from dependency_injector import providers

from askdocs.domain.answers import APOLOGY
from askdocs.domain.principals import ApiKey, Role, token_digest
from tests.http.conftest import Api

PARKING = "How much do parking permits cost?"
PARKING_FACT = "forty euros per month"


def events_of(response: httpx.Response) -> list[tuple[str, dict[str, Any]]]:
    """(event, data) of each SSE message; comment lines (pings) are skipped."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    parsed = []
    for block in response.text.split("\r\n\r\n" if "\r\n" in response.text else "\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith(":")]
        if not lines:
            continue
        fields = dict(line.split(": ", 1) for line in lines)
        parsed.append((fields.get("event", "message"), json.loads(fields["data"])))
    return parsed


def done_text(events: list[tuple[str, Any]]) -> str:
    return "".join(data["text"] for name, data in events if name == "delta")


async def test_a_streamed_answer_is_meta_then_deltas_then_done(api: Api, handbook: Any) -> None:
    await api.upload_ok(handbook.name, handbook.pdf)

    caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    response = await api.chat(PARKING, stream=True, headers={"traceparent": caller})

    events = events_of(response)
    names = [name for name, _ in events]
    assert names[0] == "meta"
    assert names[-1] == "done"
    assert set(names[1:-1]) == {"delta"}
    meta, done = events[0][1], events[-1][1]
    assert meta["trace_id"] == done["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert meta["session_id"] == done["session_id"]
    assert any(PARKING_FACT in source["snippet"] for source in meta["sources"])
    text = "".join(data["text"] for name, data in events if name == "delta")
    assert PARKING_FACT in text
    assert (done["provider"], done["cached"], done["degraded"]) == ("extractive", False, False)
    assert done["cited"]
    assert all(1 <= n <= len(meta["sources"]) for n in done["cited"])
    assert done["answered"] is True
    cited = meta["sources"][done["cited"][0] - 1]
    assert done["sources"][0]["chunk_id"] == cited["chunk_id"]
    source = done["sources"][0]
    assert source["snippet"][source["quote_start"] : source["quote_end"]] in done_text(events)


async def test_accept_event_stream_streams_without_the_body_flag(api: Api, handbook: Any) -> None:
    await api.upload_ok(handbook.name, handbook.pdf)

    response = await api.chat(PARKING, headers={"Accept": "text/event-stream"})

    assert next(name for name, _ in events_of(response)) == "meta"


async def test_a_cached_answer_streams_too(api: Api, handbook: Any) -> None:
    await api.upload_ok(handbook.name, handbook.pdf)
    first = await api.ask(PARKING)

    events = events_of(await api.chat(PARKING, stream=True))

    done = events[-1][1]
    assert done["cached"] is True
    text = "".join(data["text"] for name, data in events if name == "delta")
    assert text == first["answer"]
    assert [s["chunk_id"] for s in events[0][1]["sources"]] == [
        s["chunk_id"] for s in first["sources"]
    ]


async def test_a_streamed_turn_is_remembered_in_its_session(api: Api, handbook: Any) -> None:
    await api.upload_ok(handbook.name, handbook.pdf)
    events = events_of(await api.chat(PARKING, stream=True))
    session_id = events[0][1]["session_id"]

    owner = ApiKey(token_digest(api.keys["reader"]), Role.READER).principal().subject
    stored = await api.container.conversations().get(session_id, owner)

    assert stored is not None
    assert [turn.question for turn in stored.turns] == [PARKING]


async def test_a_bad_streamed_request_is_a_problem_not_a_stream(api: Api, problem: Any) -> None:
    problem(await api.chat("   ", stream=True), 422)
    problem(await api.chat(PARKING, stream=True, model="no-such-model"), 422)


async def test_a_model_may_be_named_in_the_query(api: Api, problem: Any) -> None:
    response = await api.client.post(
        "/api/v1/chat?model=no-such-model", json={"question": PARKING}, headers=api.auth("reader")
    )
    assert "no-such-model" in problem(response, 422)["detail"]
    response = await api.client.post(
        "/api/v1/chat?model=extractive", json={"question": PARKING}, headers=api.auth("reader")
    )
    assert response.status_code == 200


async def test_every_provider_down_streams_the_apology(start_api: Any, handbook: Any) -> None:
    dead = {
        "ASKDOCS_LLM__PROVIDERS": "local",
        "ASKDOCS_LLM__LOCAL__BASE_URL": "http://127.0.0.1:9/v1",
        "ASKDOCS_LLM__LOCAL__MODELS": "tiny",
    }
    api = await start_api(dead)
    await api.upload_ok(handbook.name, handbook.pdf)

    caller = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"}
    events = events_of(await api.chat(PARKING, stream=True, headers=caller))
    reply = await api.ask(PARKING)

    assert [name for name, _ in events] == ["meta", "delta", "done"]
    assert events[1][1]["text"] == APOLOGY
    assert events[2][1]["degraded"] is True
    assert events[2][1]["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
    assert (reply["answer"], reply["degraded"]) == (APOLOGY, True)


async def test_a_failure_before_the_stream_starts_is_the_apology(
    start_api: Any, handbook: Any
) -> None:
    class Exploding:
        name, models = "exploding", ("x",)

        async def complete(self, request: Any) -> Any:
            raise RuntimeError("crashed")

        async def stream(self, request: Any) -> Any:
            raise RuntimeError("crashed")
            yield

    def explode(container: Any) -> None:
        container.chat_model.override(providers.Object(Exploding()))

    api = await start_api(prepare=explode)
    await api.upload_ok(handbook.name, handbook.pdf)

    events = events_of(await api.chat(PARKING, stream=True))

    assert [name for name, _ in events] == ["meta", "delta", "done"]
    assert events[1][1]["text"] == APOLOGY
    assert events[2][1]["degraded"] is True


# The OpenAI-compatible API


async def test_v1_models_lists_the_configured_models(api: Api) -> None:
    response = await api.client.get("/v1/models", headers=api.auth("reader"))

    assert response.status_code == 200
    assert [m["id"] for m in response.json()["data"]] == ["extractive"]


async def test_v1_completions_answer_from_the_documents_with_sources(
    api: Api, handbook: Any
) -> None:
    await api.upload_ok(handbook.name, handbook.pdf)
    body = {"model": "extractive", "messages": [{"role": "user", "content": PARKING}]}
    bearer = {"Authorization": f"Bearer {api.keys['reader']}"}

    response = await api.client.post("/v1/chat/completions", json=body, headers=bearer)

    assert response.status_code == 200, response.text
    reply = response.json()
    assert reply["object"] == "chat.completion"
    assert PARKING_FACT in reply["choices"][0]["message"]["content"]
    assert reply["sources"]
    assert reply["askdocs"]["provider"] == "extractive"


async def test_v1_streamed_completions_end_with_done(api: Api, handbook: Any) -> None:
    await api.upload_ok(handbook.name, handbook.pdf)
    body = {"messages": [{"role": "user", "content": PARKING}], "stream": True}

    response = await api.client.post("/v1/chat/completions", json=body, headers=api.auth("reader"))

    assert response.status_code == 200
    data = [
        line.removeprefix("data: ")
        for line in response.text.splitlines()
        if line.startswith("data: ")
    ]
    assert data[-1] == "[DONE]"
    chunks = [json.loads(item) for item in data[:-1]]
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant"}
    assert chunks[0]["sources"]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert PARKING_FACT in text
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


async def test_v1_keeps_no_session_and_takes_the_history_from_the_messages(
    api: Api, handbook: Any
) -> None:
    await api.upload_ok(handbook.name, handbook.pdf)
    body = {
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "When does the cafeteria open?"},
            {"role": "assistant", "content": "At seven."},
            {"role": "user", "content": [{"type": "text", "text": PARKING}]},
        ]
    }

    response = await api.client.post("/v1/chat/completions", json=body, headers=api.auth("reader"))

    assert response.status_code == 200, response.text
    assert PARKING_FACT in response.json()["choices"][0]["message"]["content"]


async def test_v1_needs_a_key_and_a_user_question(api: Api, openai_error: Any) -> None:
    body = {"messages": [{"role": "user", "content": PARKING}]}
    unauthenticated = openai_error(await api.client.post("/v1/chat/completions", json=body), 401)
    ends_with_assistant = {"messages": [{"role": "assistant", "content": "hi"}]}
    refused = openai_error(
        await api.client.post(
            "/v1/chat/completions", json=ends_with_assistant, headers=api.auth("reader")
        ),
        422,
    )

    assert (unauthenticated["type"], unauthenticated["code"]) == (
        "authentication_error",
        "invalid_api_key",
    )
    assert refused["message"] == "the last message must be the user's question"
    assert (refused["type"], refused["code"]) == ("invalid_request_error", "invalid_input")
