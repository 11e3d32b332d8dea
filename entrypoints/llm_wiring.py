"""The chat model the settings describe: each `llm.providers` entry built, behind the router."""

from __future__ import annotations

import logging
from pathlib import Path

from askdocs.adapters.chat.extractive import ExtractiveChatModel
from askdocs.application.ports import ChatModel, Metrics, ProviderHealth
from askdocs.application.ports.tracing import Tracer
from askdocs.application.provider_router import ProviderRouter
from askdocs.entrypoints.settings import LlmSettings, ProviderSettings, SettingsError

log = logging.getLogger("askdocs.llm")

KINDS = ("openai", "groq", "extractive", "llamacpp")


def provider_names(llm: LlmSettings) -> list[str]:
    """The providers in priority order; SettingsError for an empty or repeated list."""
    names = [name.strip().lower() for name in llm.providers.split(",") if name.strip()]
    if not names:
        raise SettingsError("llm.providers names no provider")
    if len(set(names)) != len(names):
        raise SettingsError(f"llm.providers names a provider twice: {llm.providers}")
    return names


def provider_kind(name: str, llm: LlmSettings) -> str:
    """`openai`, `groq`, `extractive` or `llamacpp`: the section's `kind`, else the name if it
    is one of these, else `openai`."""
    section = llm.named.get(name, ProviderSettings())
    return section.kind or (name if name in KINDS else "openai")


def build_provider(name: str, llm: LlmSettings, tracer: Tracer | None = None) -> ChatModel:
    """One provider from its `llm.<name>` section."""
    section = llm.named.get(name, ProviderSettings())
    kind = provider_kind(name, llm)
    models = [m.strip() for m in section.models.split(",") if m.strip()]
    if kind == "extractive":
        return ExtractiveChatModel(model=models[0] if models else "extractive")
    if kind == "llamacpp":
        _warn_of_prompts_beyond_context(name, section, llm.prompt_budget_tokens)
        return _llamacpp_provider(name, section, models)
    if not models:
        raise SettingsError(
            f"LLM provider {name} needs its models: ASKDOCS_LLM__{name.upper()}__MODELS"
        )
    # The SDKs are the `llm` extra: imported only for a provider that needs them.
    from askdocs.adapters.chat.sdk_chat import sdk_provider

    return sdk_provider(
        "groq" if kind == "groq" else "openai",
        name=name,
        base_url=section.base_url or None,
        api_key=section.api_key,
        models=models,
        timeout_s=section.timeout_s or llm.timeout_s,
        max_tokens=section.max_tokens,
        tracer=tracer,
    )


def _warn_of_prompts_beyond_context(
    name: str, section: ProviderSettings, prompt_budget_tokens: int
) -> None:
    """Say at start that the longest prompts will not fit the model's window: they fail over
    to the next provider (a local model kept as a fallback for short questions may mean it)."""
    needed = prompt_budget_tokens + section.max_tokens
    if section.context_tokens < needed:
        log.warning(
            "llm provider %s: prompts of up to %d tokens and answers of %d do not fit its "
            "%d-token context; the longer ones go to the next provider. Raise "
            "ASKDOCS_LLM__%s__CONTEXT_TOKENS or lower ASKDOCS_LLM__PROMPT_BUDGET_TOKENS",
            name,
            prompt_budget_tokens,
            section.max_tokens,
            section.context_tokens,
            name.upper(),
        )


def _llamacpp_provider(name: str, section: ProviderSettings, models: list[str]) -> ChatModel:
    if not section.model_path:
        raise SettingsError(
            f"LLM provider {name} needs its GGUF file: ASKDOCS_LLM__{name.upper()}__MODEL_PATH"
        )
    # llama-cpp-python is imported by the first generation, in its worker thread; the
    # adapter itself needs nothing from the extra.
    from askdocs.adapters.chat.llamacpp import LlamaCppChatModel, gguf_loader

    return LlamaCppChatModel(
        name=name,
        load=gguf_loader(
            section.model_path, context_tokens=section.context_tokens, threads=section.threads
        ),
        model=models[0] if models else Path(section.model_path).stem,
        max_tokens=section.max_tokens,
        concurrency=section.concurrency,
        queue_timeout_s=section.queue_timeout_s,
    )


def build_chat_model(
    llm: LlmSettings, health: ProviderHealth, metrics: Metrics, tracer: Tracer
) -> ChatModel:
    """The router over every configured provider, in priority order."""
    unknown = sorted(set(llm.named) - set(provider_names(llm)))
    if unknown:
        raise SettingsError(f"settings for LLM providers not in llm.providers: {unknown}")
    names = provider_names(llm)
    return ProviderRouter(
        providers=[build_provider(name, llm, tracer) for name in names],
        health=health,
        metrics=metrics,
        timeout_s=llm.timeout_s,
        cooldown_s=llm.cooldown_s,
        timeouts={
            name: llm.named[name].timeout_s
            for name in names
            if name in llm.named and llm.named[name].timeout_s > 0
        },
        tracer=tracer,
    )
