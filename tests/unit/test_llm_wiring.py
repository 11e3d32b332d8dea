"""LLM providers from settings: `llm.providers` in order, each from its `llm.<name>` section."""

from __future__ import annotations

import logging

import pytest

from askdocs.adapters.metrics.noop import NoopMetrics
from askdocs.adapters.providers.memory import InMemoryProviderHealth
from askdocs.adapters.tracing.noop import NoopTracer
from askdocs.application.provider_router import ProviderRouter
from askdocs.entrypoints.llm_wiring import build_chat_model, build_provider
from askdocs.entrypoints.settings import SettingsError, load_settings


def chat_model(**variables: str) -> ProviderRouter:
    llm = load_settings({f"ASKDOCS_LLM__{k.upper()}": v for k, v in variables.items()}).llm
    model = build_chat_model(llm, InMemoryProviderHealth(), NoopMetrics(), NoopTracer())
    assert isinstance(model, ProviderRouter)
    return model


def test_providers_come_in_priority_order_with_their_models_and_timeouts() -> None:
    router = chat_model(
        providers="openrouter, groq, extractive",
        openrouter__base_url="https://openrouter.ai/api/v1",
        openrouter__models="google/gemini-flash,meta/llama",
        openrouter__timeout_s="12",
        groq__models="llama-3.1-8b-instant",
        timeout_s="20",
    )

    assert [p.name for p in router.providers] == ["openrouter", "groq", "extractive"]
    assert router.models == (
        "google/gemini-flash",
        "meta/llama",
        "llama-3.1-8b-instant",
        "extractive",
    )
    assert router.timeouts == {"openrouter": 12.0}
    assert router.timeout_s == 20.0


def test_the_default_is_the_extractive_answerer_alone() -> None:
    assert [p.name for p in chat_model().providers] == ["extractive"]


@pytest.mark.parametrize(
    ("variables", "complaint"),
    [
        ({"providers": " , "}, "names no provider"),
        ({"providers": "extractive,extractive"}, "twice"),
        ({"providers": "local"}, "ASKDOCS_LLM__LOCAL__MODELS"),
        ({"providers": "extractive", "typo__models": "m"}, "not in llm.providers"),
    ],
)
def test_settings_that_cannot_work_stop_the_start(
    variables: dict[str, str], complaint: str
) -> None:
    with pytest.raises(SettingsError, match=complaint):
        chat_model(**variables)


@pytest.mark.parametrize(("context", "warned"), [("4096", True), ("8192", False)])
def test_a_local_model_whose_context_is_shorter_than_the_longest_prompt_is_warned_of(
    context: str, warned: bool, caplog: pytest.LogCaptureFixture
) -> None:
    variables = {
        "ASKDOCS_LLM__PROVIDERS": "offline,extractive",
        "ASKDOCS_LLM__OFFLINE__KIND": "llamacpp",
        "ASKDOCS_LLM__OFFLINE__MODEL_PATH": "/models/small.gguf",
        "ASKDOCS_LLM__OFFLINE__CONTEXT_TOKENS": context,
    }
    with caplog.at_level(logging.WARNING, logger="askdocs.llm"):
        build_provider("offline", load_settings(variables).llm)
    said = [r.getMessage() for r in caplog.records if "ASKDOCS_LLM__OFFLINE" in r.getMessage()]
    assert bool(said) is warned
    if warned:
        assert "prompts of up to 6000 tokens and answers of 1024" in said[0]
