"""ChatModels on the OpenAI-style SDKs: OpenAI-compatible servers (openai) and Groq (groq).

OpenAI, OpenRouter, Google Gemini's OpenAI-compatible endpoint, Ollama, vLLM and the llama.cpp
server all speak the OpenAI chat completions API, so one adapter on the `openai` SDK with a base
URL serves them; Groq's SDK has the same request and stream shapes. The SDKs' own retries are
off (`max_retries=0`): the provider router already moves to the next provider, and retries
stacked under it would multiply the time a request waits on a dead one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from types import ModuleType
from typing import Any, Literal

import groq
import openai

from askdocs.adapters.chat import stream_chunks
from askdocs.adapters.chat.chat_arguments import chat_arguments
from askdocs.adapters.chat.sdk_errors import translated_errors
from askdocs.adapters.tracing.noop import NoopTracer
from askdocs.application.ports import ChatRequest, Delta, StreamEvent
from askdocs.application.ports.tracing import Tracer
from askdocs.domain.answers import Completion
from askdocs.domain.prompts import citations_in


class SdkChatModel:
    """A ChatModel over an OpenAI-style async client.

    Args:
        name: the provider's name in settings and in responses.
        client: an `openai.AsyncOpenAI` or `groq.AsyncGroq`.
        sdk: the client's module, whose exceptions `translated_errors` maps.
        models: the models offered, the default first.
        max_tokens: cap on the answer's length.
        usage_in_stream: ask for a final usage chunk (`stream_options`), which OpenAI and most
            compatible servers support; Groq reports usage in `x_groq` instead.
        tracer: names the current span in each request's `traceparent` header, so a
            provider that traces (a proxy, a self-hosted server) continues the trace.
    """

    def __init__(
        self,
        *,
        name: str,
        client: Any,
        sdk: ModuleType,
        models: Sequence[str],
        max_tokens: int,
        usage_in_stream: bool = True,
        tracer: Tracer | None = None,
    ) -> None:
        if not models:
            raise ValueError(f"provider {name} needs at least one model")
        self._name, self._client, self._sdk = name, client, sdk
        self._models = tuple(models)
        self._max_tokens = max_tokens
        self._usage_in_stream = usage_in_stream
        self._tracer: Tracer = tracer or NoopTracer()

    @property
    def name(self) -> str:
        return self._name

    @property
    def models(self) -> tuple[str, ...]:
        return self._models

    @property
    def takes_sampling(self) -> bool:
        return True

    async def complete(self, request: ChatRequest) -> Completion:
        model = request.model or self._models[0]
        async with translated_errors(self._sdk, self._name):
            response = await self._client.chat.completions.create(
                **self._arguments(request, model), stream=False
            )
            choice = response.choices[0] if response.choices else None
            text = (choice.message.content if choice else None) or ""
            usage = response.usage
        return self._completion(text, response.model or model, usage)

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        """The SDK sends the request and raises its errors; the chunks are read from the raw
        response: the SDK builds a typed object per chunk, which cost more than everything
        else askdocs does per token (about 60 % of the server's time in a profile)."""
        model = request.model or self._models[0]
        extra = {"stream_options": {"include_usage": True}} if self._usage_in_stream else {}
        parts: list[str] = []
        usage: stream_chunks.Usage | None = None
        create = self._client.chat.completions.with_streaming_response.create
        async with (
            translated_errors(self._sdk, self._name),
            # Leaving the block closes the response, which drops the connection: a server that
            # is still writing sees the client go and stops generating.
            create(**self._arguments(request, model), stream=True, **extra) as response,
        ):
            async for line in response.iter_lines():
                chunk = stream_chunks.parse(line, self._name)
                if chunk is None:
                    continue
                if isinstance(chunk, stream_chunks.Done):
                    break
                model = chunk.model or model
                usage = chunk.usage or (chunk.x_groq.usage if chunk.x_groq else None) or usage
                for choice in chunk.choices:
                    if choice.delta.content:
                        parts.append(choice.delta.content)
                        yield Delta(choice.delta.content)
        yield self._completion("".join(parts), model, usage)

    def _arguments(self, request: ChatRequest, model: str) -> dict[str, Any]:
        arguments: dict[str, Any] = {
            "model": model,
            **chat_arguments(request, max_tokens=self._max_tokens),
        }
        if traceparent := self._tracer.traceparent():
            arguments["extra_headers"] = {"traceparent": traceparent}
        return arguments

    def _completion(self, text: str, model: str, usage: Any) -> Completion:
        return Completion(
            text=text,
            cited=citations_in(text),
            model=model,
            provider=self._name,
            prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
        )


def sdk_provider(
    kind: Literal["openai", "groq"],
    *,
    name: str,
    base_url: str | None,
    api_key: str,
    models: Sequence[str],
    timeout_s: float,
    max_tokens: int,
    tracer: Tracer | None = None,
) -> SdkChatModel:
    """A provider on the `openai` SDK (OpenAI itself without a base URL, else any compatible
    server: OpenRouter, Gemini's OpenAI endpoint, Ollama, vLLM, llama.cpp) or on the `groq`
    SDK (which appends `/openai/v1` to the base URL itself)."""
    sdk, client_type = (groq, groq.AsyncGroq) if kind == "groq" else (openai, openai.AsyncOpenAI)
    client = client_type(
        api_key=api_key or "unused",  # local servers take any key; the SDKs insist on one
        base_url=base_url or None,
        timeout=timeout_s,
        max_retries=0,
    )
    return SdkChatModel(
        name=name,
        client=client,
        sdk=sdk,
        models=models,
        max_tokens=max_tokens,
        usage_in_stream=kind != "groq",  # Groq's API refuses stream_options
        tracer=tracer,
    )
