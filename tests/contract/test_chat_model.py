"""Contract: ChatModel on the extractive answerer and on the ProviderRouter.

The SDK adapters run the same contract in test_sdk_chat_model.py. The router runs it over one
provider, an SDK adapter talking to the local OpenAI-compatible server, so a provider's failure
reaches it as it would in production.
"""

from __future__ import annotations

import dataclasses

import pytest

from askdocs.adapters.chat.extractive import ExtractiveChatModel
from askdocs.adapters.chat.sdk_chat import sdk_provider
from askdocs.adapters.metrics.noop import NoopMetrics
from askdocs.adapters.providers.memory import InMemoryProviderHealth
from askdocs.adapters.tracing.noop import NoopTracer
from askdocs.application.errors import (
    InvalidInput,
    UpstreamError,
    UpstreamRejected,
    UpstreamUnavailable,
)
from askdocs.application.ports import ChatModel, ChatRequest, Delta
from askdocs.application.provider_router import ProviderRouter
from askdocs.domain.answers import Completion, Passage
from askdocs.entrypoints.settings import LlmSettings, ProviderSettings
from tests.contract.chat_model_contract import (
    PASSAGES,
    QUESTION,
    ChatModelContract,
    Trouble,
    chat_request,
    collect,
)
from tests.support.fake_llm import BreakMidway, FakeLLM, Hang, HttpError


def _passages(*texts: str) -> tuple[Passage, ...]:
    return tuple(dataclasses.replace(PASSAGES[0], text=text) for text in texts)


# The extractive model calls nothing that can fail: what it is given is its only trouble.
ODD_REQUESTS = [
    pytest.param(ChatRequest(QUESTION, ()), id="no passages"),
    pytest.param(ChatRequest("", PASSAGES), id="empty question"),
    pytest.param(ChatRequest("?!", PASSAGES), id="punctuation only"),
    pytest.param(ChatRequest(QUESTION, _passages("", "   \n\t")), id="blank passages"),
    pytest.param(ChatRequest(QUESTION, _passages("```\n```", "#", "|")), id="bare markup"),
    pytest.param(ChatRequest(QUESTION, PASSAGES, model="unknown"), id="unknown model"),
]


class TestExtractiveChatModel(ChatModelContract):
    @pytest.fixture
    def chat_model(self) -> ChatModel:
        return ExtractiveChatModel(model="extractive")

    @pytest.fixture(params=ODD_REQUESTS)
    def trouble(self, request: pytest.FixtureRequest) -> Trouble:
        return Trouble(ExtractiveChatModel(model="extractive"), request.param, raises=None)

    async def test_the_whole_answer_streams_as_one_delta(self) -> None:
        events = await collect(ExtractiveChatModel(model="extractive"), chat_request())
        assert len(events) == 2
        delta, completion = events
        assert isinstance(delta, Delta)
        assert isinstance(completion, Completion)
        assert "forty euros" in completion.text

    async def test_temperature_and_max_tokens_change_nothing(self) -> None:
        model = ExtractiveChatModel(model="extractive")
        plain = await model.complete(chat_request())
        sampled = await model.complete(
            dataclasses.replace(chat_request(), temperature=2.0, max_tokens=1)
        )

        assert sampled == plain
        assert not model.takes_sampling


def router_over(fake: FakeLLM, *, timeout_s: float = 10.0) -> ProviderRouter:
    """A router whose one provider is an SDK adapter on the fake server."""
    provider = sdk_provider(
        "openai",
        name="local",
        base_url=fake.openai_base_url,
        api_key="sk-test",
        models=["tiny", "large"],
        timeout_s=10.0,
        max_tokens=ProviderSettings().max_tokens,
    )
    health = InMemoryProviderHealth()
    cooldown_s = LlmSettings().cooldown_s
    return ProviderRouter(
        (provider,),
        health,
        NoopMetrics(),
        timeout_s=timeout_s,
        cooldown_s=cooldown_s,
        tracer=NoopTracer(),
    )


# (what the server does, the model asked for, what the router must raise)
ROUTER_TROUBLES = [
    pytest.param((HttpError.server_error(), None, UpstreamUnavailable), id="5xx"),
    pytest.param((HttpError.bad_request(), None, UpstreamRejected), id="400"),
    pytest.param((Hang(), None, UpstreamUnavailable), id="hang"),
    pytest.param((BreakMidway(after_chunks=1), None, UpstreamError), id="broken"),
    pytest.param((None, "offered by nobody", InvalidInput), id="unknown model"),
]


class TestProviderRouter(ChatModelContract):
    @pytest.fixture(autouse=True)
    def clean(self, fake: FakeLLM) -> None:
        fake.reset()

    @pytest.fixture
    def chat_model(self, fake: FakeLLM) -> ChatModel:
        return router_over(fake)

    @pytest.fixture(params=ROUTER_TROUBLES)
    def trouble(self, request: pytest.FixtureRequest, fake: FakeLLM) -> Trouble:
        behaviour, model, error = request.param
        if behaviour is not None:
            fake.script(behaviour)
        return Trouble(router_over(fake, timeout_s=0.5), chat_request(model), error)

    async def test_the_answer_names_the_provider_that_wrote_it(self, fake: FakeLLM) -> None:
        completion = await router_over(fake).complete(chat_request())
        assert completion.provider == "local"
