"""offered_models: the models a request may name, in priority order, each with the provider that
answers for it first."""

from __future__ import annotations

from collections.abc import AsyncIterator

from askdocs.adapters.metrics.noop import NoopMetrics
from askdocs.adapters.providers.memory import InMemoryProviderHealth
from askdocs.adapters.tracing.noop import NoopTracer
from askdocs.application.ports import ChatRequest, StreamEvent
from askdocs.application.provider_router import OfferedModel, ProviderRouter, offered_models
from askdocs.domain.answers import Completion
from tests.support.timers import FakeTimer


class Provider:
    """A ChatModel known only by its name, its models and whether it samples."""

    def __init__(self, name: str, models: tuple[str, ...], *, takes_sampling: bool) -> None:
        self.name, self.models, self.takes_sampling = name, models, takes_sampling

    async def complete(self, request: ChatRequest) -> Completion:
        raise NotImplementedError

    def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        raise NotImplementedError


LOCAL = Provider("local", ("extractive",), takes_sampling=False)
GROQ = Provider("groq", ("llama", "mixtral"), takes_sampling=True)
OPENAI = Provider("openai", ("gpt", "llama"), takes_sampling=True)


def router(*providers: Provider) -> ProviderRouter:
    health = InMemoryProviderHealth(timer=FakeTimer())
    return ProviderRouter(
        providers, health, NoopMetrics(), timeout_s=5.0, cooldown_s=300.0, tracer=NoopTracer()
    )


def test_each_model_is_offered_once_by_the_first_provider_that_has_it() -> None:
    assert offered_models(GROQ, OPENAI) == (
        OfferedModel("llama", "groq", True),
        OfferedModel("mixtral", "groq", True),
        OfferedModel("gpt", "openai", True),
    )


def test_a_router_offers_its_providers_models_and_says_whether_each_samples() -> None:
    routed = router(LOCAL, OPENAI)

    assert routed.offered() == (
        OfferedModel("extractive", "local", False),
        OfferedModel("gpt", "openai", True),
        OfferedModel("llama", "openai", True),
    )
    assert offered_models(routed, GROQ) == (
        *routed.offered(),
        OfferedModel("mixtral", "groq", True),
    )
    assert not routed.takes_sampling
    assert router(OPENAI, LOCAL).takes_sampling
