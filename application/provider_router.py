"""ProviderRouter: LLM providers in priority order, failing over and cooling down failed ones.

The router is itself a ChatModel, so the use cases never know how many providers there are.
A provider gets its timeout (`timeouts` by name, else `timeout_s`) to answer (to its first
token, when streaming, and between two tokens after that). On a timeout, a 429, a 5xx, a
connection or an authentication failure the next provider is tried, and the failed one is
skipped by every worker for `cooldown_s` (through ProviderHealth). A request the provider
refused as such (UpstreamRejected, a 400) goes to no other provider: it would be refused
again. A stream may move to the next provider only until its first event has gone out; after
that a failure ends the stream with the error.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import contextmanager

from askdocs.application.errors import (
    InvalidInput,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from askdocs.application.llm_calls import LlmCall
from askdocs.application.ports import (
    ChatModel,
    ChatRequest,
    Delta,
    Metrics,
    ProviderHealth,
    StreamEvent,
)
from askdocs.application.ports.tracing import AttributeValue, Span, Tracer
from askdocs.domain.answers import Completion

log = logging.getLogger("askdocs.llm")


@dataclasses.dataclass(frozen=True, slots=True)
class OfferedModel:
    """A model a request may name, the provider that answers for it first, and whether it
    takes `temperature` and `max_tokens`."""

    id: str
    provider: str
    takes_sampling: bool


def offered_models(*chat_models: ChatModel) -> tuple[OfferedModel, ...]:
    """The models of `chat_models` in order, each once (a router lists its providers')."""
    offered: dict[str, OfferedModel] = {}
    for chat_model in chat_models:
        if isinstance(chat_model, ProviderRouter):
            listed = chat_model.offered()
        else:
            listed = tuple(
                OfferedModel(m, chat_model.name, chat_model.takes_sampling)
                for m in chat_model.models
            )
        for model in listed:
            offered.setdefault(model.id, model)
    return tuple(offered.values())


@dataclasses.dataclass(frozen=True, slots=True)
class ProviderRouter:
    """A ChatModel over `providers`, tried in order.

    Raises:
        InvalidInput: the request names a model no provider offers.
        UpstreamRejected: a provider refused the request itself.
        UpstreamUnavailable: every provider that offers the model failed or is cooling down.
    """

    providers: Sequence[ChatModel]
    health: ProviderHealth
    metrics: Metrics
    timeout_s: float
    cooldown_s: float
    timeouts: Mapping[str, float] = dataclasses.field(default_factory=dict)
    tracer: Tracer = dataclasses.field(kw_only=True)
    """Receives a span per provider attempt (OpenTelemetry's GenAI conventions)."""

    def __post_init__(self) -> None:
        if not self.providers:
            raise ValueError("the router needs at least one provider")

    @property
    def name(self) -> str:
        return "router"

    @property
    def models(self) -> tuple[str, ...]:
        """Every provider's models, the first provider's default first."""
        return tuple(dict.fromkeys(m for p in self.providers for m in p.models))

    @property
    def takes_sampling(self) -> bool:
        """Whether the first provider, the one a request without a model goes to, samples."""
        return self.providers[0].takes_sampling

    def offered(self) -> tuple[OfferedModel, ...]:
        """Every model once, with the first provider that offers it."""
        return offered_models(*self.providers)

    async def complete(self, request: ChatRequest) -> Completion:
        failures: list[str] = []
        available = await self._available(request, failures)
        for provider in available:
            call = LlmCall.to(provider, request, self.metrics)
            with self._attempt(provider, request) as attempt:
                try:
                    async with asyncio.timeout(self._timeout(provider)):
                        completion = await provider.complete(request)
                except (TimeoutError, UpstreamError) as exc:
                    call.failed()
                    failure = _as_upstream(exc)
                    await self._failed(provider, failure, attempt)
                    failures.append(f"{provider.name}: {failure.detail}")
                    self._passed_over(provider, available)
                    continue
                except Exception:
                    call.failed()
                    raise
                call.answered(completion)
                _answered_attempt(attempt, completion)
            return completion
        raise UpstreamUnavailable("no provider answered: " + "; ".join(failures))

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        failures: list[str] = []
        available = await self._available(request, failures)
        for provider in available:
            call = LlmCall.to(provider, request, self.metrics)
            events = provider.stream(request)
            # The attempt's span is current while its request goes out (its traceparent is
            # sent) and lasts until the stream ends.
            with self._attempt(provider, request) as attempt:
                try:
                    try:
                        async with asyncio.timeout(self._timeout(provider)):
                            first = await anext(events)
                    except (TimeoutError, UpstreamError) as exc:
                        call.failed()
                        failure = _as_upstream(exc)
                        await self._failed(provider, failure, attempt)
                        failures.append(f"{provider.name}: {failure.detail}")
                        self._passed_over(provider, available)
                        continue
                    except Exception:
                        call.failed()
                        raise
                    attempt.add_event("gen_ai.first_token")
                    # From here on, this provider's answer is the answer.
                    yield _noted(call, attempt, first)
                    async for event in self._rest(provider, events, call, attempt):
                        yield _noted(call, attempt, event)
                    return
                finally:
                    await _close(events)  # on a disconnect too: the provider's request ends
        raise UpstreamUnavailable("no provider answered: " + "; ".join(failures))

    async def _rest(
        self,
        provider: ChatModel,
        events: AsyncIterator[StreamEvent],
        call: LlmCall,
        attempt: Span,
    ) -> AsyncIterator[StreamEvent]:
        """The events after the first; a gap over the timeout or a failure ends the stream."""
        while True:
            try:
                async with asyncio.timeout(self._timeout(provider)):
                    event = await anext(events)
            except StopAsyncIteration:
                return
            except (TimeoutError, UpstreamError) as exc:
                call.failed()
                failure = _as_upstream(exc)
                await self._failed(provider, failure, attempt)
                raise failure from exc
            except Exception:
                call.failed()
                raise
            yield event

    @contextmanager
    def _attempt(self, provider: ChatModel, request: ChatRequest) -> Iterator[Span]:
        """A span for one provider's attempt, named as OpenTelemetry's GenAI spans are."""
        model = request.model or (provider.models[0] if provider.models else "")
        attributes: dict[str, AttributeValue] = {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": provider.name,
            "gen_ai.request.model": model,
        }
        if request.max_tokens is not None:
            attributes["gen_ai.request.max_tokens"] = request.max_tokens
        if request.temperature is not None:
            attributes["gen_ai.request.temperature"] = request.temperature
        with self.tracer.span(f"chat {model}", attributes=attributes, kind="client") as span:
            yield span

    def _timeout(self, provider: ChatModel) -> float:
        return self.timeouts.get(provider.name, self.timeout_s)

    async def _available(self, request: ChatRequest, failures: list[str]) -> list[ChatModel]:
        """The providers offering the request's model, in order, less those cooling down."""
        offering = [p for p in self.providers if request.model is None or request.model in p.models]
        if not offering:
            raise InvalidInput(f"no provider offers the model {request.model!r}")
        available = []
        for provider in offering:
            if await self.health.is_cooling_down(provider.name):
                failures.append(f"{provider.name}: cooling down")
                self.metrics.increment("llm_provider_skipped", tags={"provider": provider.name})
            else:
                available.append(provider)
        return available

    async def _failed(
        self, provider: ChatModel, error: UpstreamError, attempt: Span | None = None
    ) -> None:
        if attempt is not None:
            attempt.set_attributes({"error.type": type(error).__name__})
            attempt.record_error(error)
        log.warning(
            "LLM provider failed, cooling down: %s (%s)", provider.name, error.detail or error
        )
        self.metrics.increment(
            "llm_provider_failures", tags={"provider": provider.name, "error": type(error).__name__}
        )
        await self.health.cool_down(provider.name, self.cooldown_s)

    def _passed_over(self, provider: ChatModel, available: Sequence[ChatModel]) -> None:
        """A failed provider the router moves on from: the last one is not a failover."""
        if provider is not available[-1]:
            self.metrics.increment("llm_failovers", tags={"provider": provider.name})


def _answered_attempt(attempt: Span, completion: Completion) -> None:
    attempt.set_attributes(
        {
            "gen_ai.response.model": completion.model,
            "gen_ai.usage.input_tokens": completion.prompt_tokens,
            "gen_ai.usage.output_tokens": completion.completion_tokens,
        }
    )


def _as_upstream(exc: BaseException) -> UpstreamError:
    """The failure as the application's error; its detail is the provider's own words, which
    callers prefix with the provider's name where several are listed."""
    if isinstance(exc, UpstreamError):
        return exc
    return UpstreamTimeout("no answer within the timeout")


def _noted(call: LlmCall, attempt: Span, event: StreamEvent) -> StreamEvent:
    """The event, after the attempt has noted its first text or its end."""
    if isinstance(event, Delta):
        if event.text:
            call.wrote_text()
    else:
        call.answered(event)
        _answered_attempt(attempt, event)
    return event


async def _close(events: AsyncIterator[StreamEvent]) -> None:
    """Close a provider's stream (an async generator), ending its upstream request."""
    close = getattr(events, "aclose", None)
    if close is not None:
        await close()
