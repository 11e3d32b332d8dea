"""Contract: ChatModel on the real openai and groq SDKs, against a local OpenAI-compatible server.

Beyond what every ChatModel does (chat_model_contract.py): every SDK failure must leave as one
of the application's errors; a stream closed early must drop the upstream request.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable

import pytest

from askdocs.adapters.chat.sdk_chat import SdkChatModel, sdk_provider
from askdocs.application.errors import (
    UpstreamAuthFailed,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from askdocs.application.ports import ChatModel, Delta, StreamEvent
from askdocs.domain.answers import Completion
from askdocs.domain.prompts import SYSTEM_PROMPT
from askdocs.entrypoints.settings import ProviderSettings
from tests.contract.chat_model_contract import ChatModelContract, Trouble, chat_request, collect
from tests.support.fake_llm import (
    BreakMidway,
    FakeLLM,
    Hang,
    HttpError,
    MalformedChunk,
    Outcome,
)
from tests.support.fake_llm import Reply as Scripted

Build = Callable[..., SdkChatModel]


# HTTP errors have a test of their own below, each with the error it becomes.
TROUBLES = [
    pytest.param((Hang(), UpstreamTimeout), id="hang"),
    pytest.param((MalformedChunk(after_chunks=1), UpstreamError), id="malformed"),
    pytest.param((BreakMidway(after_chunks=1), UpstreamError), id="broken"),
]


class SdkChatModelContract(ChatModelContract):
    """Behaviour of a ChatModel on an OpenAI-style SDK; subclasses say how to build one."""

    @pytest.fixture
    def build(self, fake: FakeLLM) -> Build:
        raise NotImplementedError

    @pytest.fixture(autouse=True)
    def clean(self, fake: FakeLLM) -> None:
        fake.reset()

    @pytest.fixture
    def chat_model(self, build: Build) -> ChatModel:
        return build()

    @pytest.fixture(params=TROUBLES)
    def trouble(self, request: pytest.FixtureRequest, build: Build, fake: FakeLLM) -> Trouble:
        behaviour, error = request.param
        fake.script(behaviour)
        return Trouble(build(timeout_s=0.5), chat_request(), error)

    async def test_an_answer_comes_back_with_its_citations_and_usage(
        self, build: Build, fake: FakeLLM
    ) -> None:
        fake.script(Scripted("Forty euros [1], see [1] and [7].", prompt_tokens=42))
        completion = await build().complete(chat_request())
        assert completion.text == "Forty euros [1], see [1] and [7]."
        assert completion.cited == (1, 7)
        assert (completion.model, completion.provider) == ("tiny", "local")
        assert completion.prompt_tokens == 42

    async def test_the_prompt_and_key_reach_the_server(self, build: Build, fake: FakeLLM) -> None:
        await build().complete(chat_request("large"))
        sent = fake.requests[-1]
        assert sent.authorization == "Bearer sk-test"
        assert sent.model == "large"
        assert sent.messages[0] == {"role": "system", "content": SYSTEM_PROMPT}
        assert "Parking costs forty euros." in sent.messages[-1]["content"]

    @pytest.mark.parametrize("streamed", [False, True])
    async def test_temperature_and_max_tokens_reach_the_server_within_the_cap(
        self, build: Build, fake: FakeLLM, streamed: bool
    ) -> None:
        model = build()
        asked = dataclasses.replace(chat_request(), temperature=0.2, max_tokens=64)
        too_long = dataclasses.replace(chat_request(), max_tokens=1_000_000)
        for chat in (asked, too_long, chat_request()):
            await (collect(model, chat) if streamed else model.complete(chat))

        sent = [r.body for r in fake.requests[-3:]]
        assert (sent[0]["temperature"], sent[0]["max_tokens"]) == (0.2, 64)
        assert sent[1]["max_tokens"] == 1024  # the operator's cap, not the caller's wish
        assert "temperature" not in sent[2]
        assert sent[2]["max_tokens"] == 1024
        assert model.takes_sampling

    async def test_a_stream_yields_the_pieces_in_order_then_the_completion(
        self, build: Build, fake: FakeLLM
    ) -> None:
        fake.script(Scripted.from_chunks(["Forty", " euros", " [1]."], prompt_tokens=5))
        events = await collect(build(), chat_request())
        assert events[:3] == [Delta("Forty"), Delta(" euros"), Delta(" [1].")]
        assert len(events) == 4
        completion = events[3]
        assert isinstance(completion, Completion)
        assert (completion.text, completion.cited) == ("Forty euros [1].", (1,))
        assert (completion.prompt_tokens, completion.completion_tokens) == (5, 3)

    @pytest.mark.parametrize(
        ("failure", "error"),
        [
            (HttpError.rate_limited(), UpstreamRateLimited),
            (HttpError.server_error(), UpstreamUnavailable),
            (HttpError.unavailable(), UpstreamUnavailable),
            (HttpError.unauthorized(), UpstreamAuthFailed),
            (HttpError.bad_request(), UpstreamRejected),
        ],
    )
    @pytest.mark.parametrize("streamed", [False, True])
    async def test_http_errors_become_the_applications_errors(
        self,
        build: Build,
        fake: FakeLLM,
        failure: HttpError,
        error: type[Exception],
        streamed: bool,
    ) -> None:
        fake.script(failure)
        call = collect(build(), chat_request()) if streamed else build().complete(chat_request())
        with pytest.raises(error):
            await call

    @pytest.mark.parametrize(
        "broken", [MalformedChunk(after_chunks=1), BreakMidway(after_chunks=2)]
    )
    async def test_a_stream_broken_midway_fails_after_its_first_pieces(
        self, build: Build, fake: FakeLLM, broken: MalformedChunk | BreakMidway
    ) -> None:
        fake.script(broken)
        received: list[StreamEvent] = []

        async def consume() -> None:
            async for event in build().stream(chat_request()):
                received.append(event)

        with pytest.raises(UpstreamError):
            await consume()
        assert received
        assert all(isinstance(event, Delta) for event in received)

    async def test_closing_a_stream_early_drops_the_upstream_request(
        self, build: Build, fake: FakeLLM
    ) -> None:
        pieces = [f"piece {n} " for n in range(200)]
        fake.script(Scripted.from_chunks(pieces, chunk_delay=0.01))
        events = build().stream(chat_request())
        assert await anext(events) == Delta("piece 0 ")
        await events.aclose()  # type: ignore[attr-defined]
        record = await asyncio.to_thread(fake.wait_for_stream_end, 5.0)
        assert record.outcome is Outcome.DISCONNECTED
        assert record.chunks_sent < len(pieces)


class TestOpenAICompatible(SdkChatModelContract):
    @pytest.fixture
    def build(self, fake: FakeLLM) -> Build:
        def build(timeout_s: float = 10.0) -> SdkChatModel:
            return sdk_provider(
                "openai",
                name="local",
                base_url=fake.openai_base_url,
                api_key="sk-test",
                models=["tiny", "large"],
                timeout_s=timeout_s,
                max_tokens=ProviderSettings().max_tokens,
            )

        return build


class TestGroq(SdkChatModelContract):
    @pytest.fixture
    def build(self, fake: FakeLLM) -> Build:
        def build(timeout_s: float = 10.0) -> SdkChatModel:
            return sdk_provider(
                "groq",
                name="local",
                base_url=fake.base_url,  # the SDK adds /openai/v1
                api_key="sk-test",
                models=["tiny", "large"],
                timeout_s=timeout_s,
                max_tokens=ProviderSettings().max_tokens,
            )

        return build

    async def test_requests_use_groqs_path(self, build: Build, fake: FakeLLM) -> None:
        await build().complete(chat_request())
        assert fake.requests[-1].path == "/openai/v1/chat/completions"
