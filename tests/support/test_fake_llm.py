"""The fake LLM server, driven by the real `openai` and `groq` SDKs.

Each test proves one behaviour other tests rely on, and pins down which exception each SDK
raises for it, so a change in either SDK shows up here first.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Iterator
from typing import Any

import groq
import httpx
import httpx2
import openai
import pytest

from tests.support.fake_llm import (
    DEFAULT_TEXT,
    BreakMidway,
    FakeLLM,
    Hang,
    HttpError,
    MalformedChunk,
    Outcome,
    Reply,
    fake_embedding,
)

MODEL = "fake-model"
MESSAGES: list[Any] = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "What is in the box?"},
]
SDKS = ["openai", "groq"]


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    with FakeLLM.running(models=("fake-model", "other-model")) as running:
        yield running


def client_for(sdk: str, fake: FakeLLM, **options: Any) -> Any:
    """An SDK client pointed at the fake; groq appends /openai/v1 to its base URL itself."""
    options = {"api_key": "sk-test", "max_retries": 0, **options}
    if sdk == "openai":
        return openai.AsyncOpenAI(base_url=fake.openai_base_url, **options)
    return groq.AsyncGroq(base_url=fake.base_url, **options)


def sdk_module(sdk: str) -> Any:
    return openai if sdk == "openai" else groq


async def stream_contents(client: Any, **extra: Any) -> list[Any]:
    """Every chunk of a streamed completion, in arrival order."""
    stream = await client.chat.completions.create(
        model=MODEL, messages=MESSAGES, stream=True, **extra
    )
    return [chunk async for chunk in stream]


async def collect_texts(stream: Any, into: list[str]) -> None:
    """Append each chunk's text to `into` as it arrives, so what came before an error is kept."""
    async for chunk in stream:
        into.append(chunk.choices[0].delta.content)


def texts(chunks: list[Any]) -> list[str]:
    return [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]


# Replies


async def test_openai_non_stream_reply_carries_text_model_and_usage(fake: FakeLLM) -> None:
    fake.script(Reply("The box holds a cat.", prompt_tokens=12, completion_tokens=6))

    async with client_for("openai", fake) as client:
        response = await client.chat.completions.create(model=MODEL, messages=MESSAGES)

    assert response.choices[0].message.content == "The box holds a cat."
    assert response.choices[0].finish_reason == "stop"
    assert response.model == MODEL
    assert response.usage is not None
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (12, 6)
    assert response.usage.total_tokens == 18


async def test_groq_non_stream_reply_arrives_under_the_openai_prefix(fake: FakeLLM) -> None:
    fake.script(Reply("Groq says hi.", prompt_tokens=3, completion_tokens=4))

    async with client_for("groq", fake) as client:
        response = await client.chat.completions.create(model="other-model", messages=MESSAGES)

    assert response.choices[0].message.content == "Groq says hi."
    assert response.model == "other-model"
    assert response.usage is not None
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (3, 4)
    assert [request.path for request in fake.requests] == ["/openai/v1/chat/completions"]


async def test_scripted_behaviours_are_played_in_order_then_the_default(fake: FakeLLM) -> None:
    fake.script(Reply("first"), Reply("second"))

    async with client_for("openai", fake) as client:
        answers = [
            (await client.chat.completions.create(model=MODEL, messages=MESSAGES))
            .choices[0]
            .message.content
            for _ in range(3)
        ]

    assert answers == ["first", "second", DEFAULT_TEXT]
    assert fake.pending == 0


async def test_stream_arrives_in_the_scripted_chunks_then_a_usage_chunk(fake: FakeLLM) -> None:
    fake.script(Reply.from_chunks(["The ", "box ", "holds ", "a cat."], prompt_tokens=9))

    async with client_for("openai", fake) as client:
        chunks = await stream_contents(client, stream_options={"include_usage": True})

    assert texts(chunks) == ["The ", "box ", "holds ", "a cat."]
    assert all(chunk.object == "chat.completion.chunk" for chunk in chunks)
    assert {chunk.model for chunk in chunks} == {MODEL}
    assert chunks[-2].choices[0].finish_reason == "stop"
    usage_chunk = chunks[-1]
    assert usage_chunk.choices == []
    assert usage_chunk.usage is not None
    assert (usage_chunk.usage.prompt_tokens, usage_chunk.usage.completion_tokens) == (9, 4)
    record = fake.wait_for_stream_end(timeout=5)
    assert (record.outcome, record.chunks_sent, record.chunks_scripted) == (
        Outcome.COMPLETED,
        4,
        4,
    )


async def test_text_is_split_into_chunks_of_the_given_size(fake: FakeLLM) -> None:
    fake.script(Reply("abcdefgh", chunk_size=3))

    async with client_for("openai", fake) as client:
        chunks = await stream_contents(client)

    assert texts(chunks) == ["abc", "def", "gh"]
    # Without include_usage no chunk carries usage, as with OpenAI.
    assert all(chunk.usage is None for chunk in chunks)


async def test_groq_stream_reports_usage_in_x_groq_of_the_last_chunk(fake: FakeLLM) -> None:
    fake.script(Reply.from_chunks(["Hel", "lo"], prompt_tokens=5))

    async with client_for("groq", fake) as client:
        chunks = await stream_contents(client)

    assert texts(chunks) == ["Hel", "lo"]
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert last.x_groq is not None
    assert last.x_groq.usage is not None
    assert (last.x_groq.usage.prompt_tokens, last.x_groq.usage.completion_tokens) == (5, 2)


@pytest.mark.parametrize("sdk", SDKS)
async def test_slow_first_token_delays_the_first_chunk(fake: FakeLLM, sdk: str) -> None:
    delay = 0.4
    fake.script(Reply.from_chunks(["slow", " start"], first_token_delay=delay))

    async with client_for(sdk, fake) as client:
        started = time.monotonic()
        stream = await client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)
        first = await stream.__anext__()
        waited = time.monotonic() - started
        rest = [chunk async for chunk in stream]

    assert first.choices[0].delta.content == "slow"
    assert waited >= delay
    assert texts(rest) == [" start"]


async def test_slow_first_token_delays_a_non_streamed_reply(fake: FakeLLM) -> None:
    delay = 0.3
    fake.script(Reply("late", first_token_delay=delay))

    async with client_for("openai", fake) as client:
        started = time.monotonic()
        response = await client.chat.completions.create(model=MODEL, messages=MESSAGES)

    assert time.monotonic() - started >= delay
    assert response.choices[0].message.content == "late"


# HTTP errors


ERRORS = [
    pytest.param(HttpError.bad_request(), "BadRequestError", id="400"),
    pytest.param(HttpError.unauthorized(), "AuthenticationError", id="401"),
    pytest.param(HttpError.rate_limited(retry_after=7), "RateLimitError", id="429"),
    pytest.param(HttpError.server_error(), "InternalServerError", id="500"),
    pytest.param(HttpError.unavailable(), "InternalServerError", id="503"),
]


@pytest.mark.parametrize("sdk", SDKS)
@pytest.mark.parametrize(("error", "exception_name"), ERRORS)
async def test_http_errors_surface_as_the_sdk_status_errors(
    fake: FakeLLM, sdk: str, error: HttpError, exception_name: str
) -> None:
    fake.script(error)
    expected = getattr(sdk_module(sdk), exception_name)

    async with client_for(sdk, fake) as client:
        with pytest.raises(expected) as raised:
            await client.chat.completions.create(model=MODEL, messages=MESSAGES)

    assert raised.value.status_code == error.status
    # openai keeps the inner error object as `body`, groq the whole JSON document.
    body = raised.value.body if sdk == "openai" else raised.value.body["error"]
    assert body == {"message": error.message, "type": error.type, "code": error.code}
    assert fake.completions[0].outcome is Outcome.ERROR


async def test_rate_limit_error_carries_retry_after(fake: FakeLLM) -> None:
    fake.script(HttpError.rate_limited(retry_after=7))

    async with client_for("openai", fake) as client:
        with pytest.raises(openai.RateLimitError) as raised:
            await client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)

    assert raised.value.response.headers["retry-after"] == "7"


@pytest.mark.parametrize("sdk", SDKS)
async def test_a_required_api_key_is_enforced_on_every_endpoint(sdk: str) -> None:
    with FakeLLM.running(api_key="sk-right") as fake:
        async with client_for(sdk, fake, api_key="sk-wrong") as wrong:
            with pytest.raises(sdk_module(sdk).AuthenticationError):
                await wrong.chat.completions.create(model=MODEL, messages=MESSAGES)
            with pytest.raises(sdk_module(sdk).AuthenticationError):
                await wrong.models.list()
        async with client_for(sdk, fake, api_key="sk-right") as right:
            response = await right.chat.completions.create(model=MODEL, messages=MESSAGES)

    assert response.choices[0].message.content == DEFAULT_TEXT
    # Rejected requests consume no scripted behaviour and play no completion.
    assert len(fake.completions) == 1


# Broken streams


@pytest.mark.parametrize("sdk", SDKS)
async def test_malformed_chunk_makes_the_sdk_raise_after_the_good_ones(
    fake: FakeLLM, sdk: str
) -> None:
    fake.script(MalformedChunk(Reply.from_chunks(["one", "two", "three"]), after_chunks=2))
    received: list[str] = []

    async with client_for(sdk, fake) as client:
        stream = await client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)
        # Neither SDK wraps it: the SSE line's json.loads error escapes as is.
        with pytest.raises(json.JSONDecodeError):
            await collect_texts(stream, received)

    assert received == ["one", "two"]


@pytest.mark.parametrize("sdk", SDKS)
async def test_malformed_non_streamed_body_makes_the_sdk_raise(fake: FakeLLM, sdk: str) -> None:
    fake.script(MalformedChunk())

    async with client_for(sdk, fake) as client:
        with pytest.raises(json.JSONDecodeError):
            await client.chat.completions.create(model=MODEL, messages=MESSAGES)


# What each SDK raises when the connection drops mid-stream: openai wraps the transport's
# RemoteProtocolError ("incomplete chunked read") in openai.APIConnectionError; groq's stream
# does not wrap it, so httpx.RemoteProtocolError itself escapes.
BROKEN_STREAM_ERRORS = {"openai": openai.APIConnectionError, "groq": httpx.RemoteProtocolError}


@pytest.mark.parametrize("sdk", SDKS)
async def test_stream_broken_midway_raises_after_the_first_chunks(fake: FakeLLM, sdk: str) -> None:
    fake.script(BreakMidway(Reply.from_chunks(["a", "b", "c", "d"]), after_chunks=2))
    received: list[str] = []

    async with client_for(sdk, fake) as client:
        stream = await client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)
        with pytest.raises(BROKEN_STREAM_ERRORS[sdk]) as raised:
            await collect_texts(stream, received)

    assert received == ["a", "b"]
    if sdk == "openai":
        assert isinstance(raised.value.__cause__, httpx2.RemoteProtocolError)
    record = fake.wait_for_stream_end(timeout=5)
    assert (record.outcome, record.chunks_sent) == (Outcome.BROKEN, 2)


@pytest.mark.parametrize("sdk", SDKS)
async def test_non_streamed_body_broken_midway_raises_a_connection_error(
    fake: FakeLLM, sdk: str
) -> None:
    fake.script(BreakMidway())

    async with client_for(sdk, fake) as client:
        with pytest.raises(sdk_module(sdk).APIConnectionError):
            await client.chat.completions.create(model=MODEL, messages=MESSAGES)


@pytest.mark.parametrize("sdk", SDKS)
async def test_client_closing_a_stream_midway_is_recorded_as_a_disconnect(
    fake: FakeLLM, sdk: str
) -> None:
    scripted = [f"word{index} " for index in range(20)]
    fake.script(Reply.from_chunks(scripted, chunk_delay=0.05))
    received: list[str] = []

    async with client_for(sdk, fake) as client:
        stream = await client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)
        async with stream:
            async for chunk in stream:
                received.append(chunk.choices[0].delta.content)
                if len(received) == 2:
                    break

    record = await asyncio.to_thread(fake.wait_for_stream_end, 5)
    assert record.outcome is Outcome.DISCONNECTED
    assert len(received) <= record.chunks_sent < len(scripted)
    # The fake stopped producing: the count no longer moves.
    await asyncio.sleep(0.2)
    assert fake.streams[0].chunks_sent == record.chunks_sent


# Hangs


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("sdk", SDKS)
async def test_hang_ends_in_a_client_timeout_and_a_recorded_disconnect(
    fake: FakeLLM, sdk: str, stream: bool
) -> None:
    fake.script(Hang())

    async with client_for(sdk, fake, timeout=0.5) as client:
        with pytest.raises(sdk_module(sdk).APITimeoutError):
            await client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=stream)

    record = await asyncio.to_thread(fake.wait_for_completion_end, 5)
    assert (record.outcome, record.stream, record.chunks_sent) == (Outcome.DISCONNECTED, stream, 0)


async def test_stopping_the_fake_ends_a_hanging_request() -> None:
    fake = FakeLLM()
    fake.start()
    fake.script(Hang())
    async with client_for("openai", fake, timeout=30) as client:
        pending = asyncio.create_task(
            client.chat.completions.create(model=MODEL, messages=MESSAGES)
        )
        await asyncio.to_thread(fake.wait_for_requests, 1)
        await asyncio.to_thread(fake.stop)
        with pytest.raises(openai.APIStatusError) as raised:
            await pending

    assert raised.value.status_code == 503
    assert fake.completions[0].outcome is Outcome.STOPPED


# Recording


async def test_requests_are_recorded_with_authorization_and_messages(fake: FakeLLM) -> None:
    async with client_for("openai", fake, api_key="sk-recorded") as client:
        await client.chat.completions.create(model=MODEL, messages=MESSAGES, temperature=0.2)

    (request,) = fake.requests
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    assert request.authorization == "Bearer sk-recorded"
    assert request.messages == MESSAGES
    assert request.model == MODEL
    assert request.body["temperature"] == 0.2
    assert request.headers["content-type"] == "application/json"


async def test_reset_forgets_the_script_and_the_records(fake: FakeLLM) -> None:
    fake.script(Reply("scripted"))
    async with client_for("openai", fake) as client:
        await client.models.list()
        fake.reset()
        response = await client.chat.completions.create(model=MODEL, messages=MESSAGES)

    assert response.choices[0].message.content == DEFAULT_TEXT
    assert [request.path for request in fake.requests] == ["/v1/chat/completions"]


# Models and embeddings


@pytest.mark.parametrize("sdk", SDKS)
async def test_models_lists_the_configured_ids(fake: FakeLLM, sdk: str) -> None:
    async with client_for(sdk, fake) as client:
        page = await client.models.list()

    assert [model.id for model in page.data] == ["fake-model", "other-model"]


@pytest.mark.parametrize("sdk", SDKS)
async def test_embeddings_are_deterministic_unit_vectors(fake: FakeLLM, sdk: str) -> None:
    async with client_for(sdk, fake) as client:
        batch = await client.embeddings.create(model="embed", input=["alpha", "beta gamma"])
        single = await client.embeddings.create(model="embed", input="alpha")

    vectors = [item.embedding for item in batch.data]
    assert [item.index for item in batch.data] == [0, 1]
    assert vectors[0] == pytest.approx(fake_embedding("alpha", 8), abs=1e-6)
    assert vectors[1] == pytest.approx(fake_embedding("beta gamma", 8), abs=1e-6)
    assert vectors[0] != pytest.approx(vectors[1])
    assert single.data[0].embedding == pytest.approx(vectors[0], abs=1e-6)
    assert all(math.isclose(math.hypot(*vector), 1.0, abs_tol=1e-5) for vector in vectors)
    assert batch.usage.prompt_tokens == 3


async def test_embeddings_honour_the_requested_dimensions_and_float_format(
    fake: FakeLLM,
) -> None:
    async with client_for("openai", fake) as client:
        response = await client.embeddings.create(
            model="embed", input="alpha", dimensions=5, encoding_format="float"
        )

    assert fake.requests[0].body["encoding_format"] == "float"
    assert response.data[0].embedding == pytest.approx(fake_embedding("alpha", 5))
