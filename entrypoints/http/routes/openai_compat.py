"""POST /v1/chat/completions and GET /v1/models: the RAG pipeline behind the OpenAI API.

Any OpenAI client can talk to askdocs: the last user message is the question, earlier user and
assistant messages are the conversation (the client keeps it, so no session is stored), and the
retrieved sources travel in an extra `sources` field (in the first chunk when streaming). The
same keys (as Bearer tokens), roles and rate limits apply as on /api/v1/chat.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, KwargDefinition
from litestar.response import ServerSentEvent, ServerSentEventMessage

from askdocs.application.ask_question import (
    AnswerDelta,
    AnswerEvent,
    AnswerFinished,
    AnswerStarted,
    AskQuestion,
    Question,
)
from askdocs.application.errors import InvalidInput
from askdocs.application.provider_router import offered_models
from askdocs.domain.answers import Answer
from askdocs.domain.conversations import Turn
from askdocs.domain.principals import Principal, Role
from askdocs.entrypoints.http.chat_events import with_pings
from askdocs.entrypoints.http.openapi import JSON_BODY, documented
from askdocs.entrypoints.http.operations import CompletionStreamOperation
from askdocs.entrypoints.http.request_context import request_id_of
from askdocs.entrypoints.http.schemas import Source
from askdocs.entrypoints.http.security import requires
from askdocs.entrypoints.http.tracing import SERVER_TIMING_OPT, trace_id_of
from askdocs.entrypoints.wiring import CHAT

_encode = msgspec.json.Encoder().encode
PING_S = 15.0
COMPLETION_DESCRIPTION = (
    "A `chat.completion` with `sources` and `askdocs` (provider, cached, degraded, trace_id); "
    "or, with `stream: true`, Server-Sent Events: `chat.completion.chunk` objects as `data:` "
    "lines (the first carries `sources`), then `data: [DONE]`."
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # the client's turns carry no time


class ContentPart(msgspec.Struct, frozen=True):
    type: str
    text: str | None = None


class ChatMessage(msgspec.Struct, frozen=True):
    role: str
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(part.text or "" for part in self.content if part.type == "text")
        return self.content or ""


class CompletionRequest(msgspec.Struct, frozen=True):
    """The fields askdocs reads; the others (tools, n, ...) are accepted and ignored."""

    messages: Annotated[list[ChatMessage], KwargDefinition(min_items=1)]
    model: str | None = None
    stream: bool = False
    temperature: float | None = None
    max_tokens: int | None = None
    max_completion_tokens: int | None = None


def _question(body: CompletionRequest, principal: Principal) -> Question:
    """The last user message as the question, earlier user/assistant pairs as the history."""
    said = [m for m in body.messages if m.role in ("user", "assistant")]
    if not said or said[-1].role != "user":
        raise InvalidInput("the last message must be the user's question")
    turns = []
    pending: str | None = None
    for message in said[:-1]:
        if message.role == "user":
            pending = message.text()
        elif pending is not None:
            turns.append(Turn(question=pending, answer=message.text(), at=_EPOCH))
            pending = None
    return Question(
        text=said[-1].text(),
        principal=principal,
        model=body.model,
        history=tuple(turns),
        temperature=body.temperature,
        max_tokens=body.max_completion_tokens or body.max_tokens,
    )


class OpenAICompatibleController(Controller):
    """The OpenAI chat completions API, answered from the documents."""

    path = "/v1"
    request_max_body_size = (
        1024 * 1024
    )  # room for a long conversation's history; not the upload limit
    tags = ["openai-compatible"]
    guards = [requires(Role.READER)]

    @get("/models", **documented())
    async def models(self, ask_question: NamedDependency[AskQuestion]) -> dict[str, Any]:
        """The models a request may name."""
        return {
            "object": "list",
            "data": [
                {
                    "id": model.id,
                    "object": "model",
                    "created": 0,
                    "owned_by": model.provider,
                    "askdocs": {"provider": model.provider, "takes_sampling": model.takes_sampling},
                }
                for model in offered_models(ask_question.chat_model)
            ],
        }

    @post(
        "/chat/completions",
        status_code=200,
        opt={"rate_limit": CHAT, SERVER_TIMING_OPT: True},
        response_description=COMPLETION_DESCRIPTION,
        **documented(*JSON_BODY, 502, operation=CompletionStreamOperation),
    )
    async def complete(
        self,
        data: JSONBody[CompletionRequest],
        request: Request[Principal, str, Any],
        ask_question: NamedDependency[AskQuestion],
    ) -> Response[Any]:
        """A chat completion (streamed when `stream` is true), with the sources it used."""
        trace_id = trace_id_of(request.scope)
        question = _question(data, request.user)
        completion_id = f"chatcmpl-{request_id_of(request.scope)}"
        created = int(time.time())
        if data.stream:
            events = ask_question.stream(question)
            first = await anext(events)  # refusals (bad model, empty question) as problems
            chunks = _chunks(first, events, completion_id, created, trace_id)
            return ServerSentEvent(chunks, headers={"Cache-Control": "no-store"})
        answer = (await ask_question.execute(question)).answer
        return Response(_completion(answer, completion_id, created, trace_id))


def _completion(answer: Answer, completion_id: str, created: int, trace_id: str) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": answer.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer.text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "sources": [msgspec.to_builtins(Source.of(p)) for p in answer.sources],
        "askdocs": _extra(answer, trace_id),
    }


def _extra(answer: Answer, trace_id: str) -> dict[str, Any]:
    return {
        "provider": answer.provider,
        "cached": answer.cached,
        "degraded": answer.degraded,
        "trace_id": trace_id,
        "warnings": list(answer.warnings),
    }


async def _chunks(
    first: AnswerEvent,
    events: AsyncIterator[AnswerEvent],
    completion_id: str,
    created: int,
    trace_id: str,
) -> AsyncIterator[ServerSentEventMessage]:
    """chat.completion.chunk objects as `data:` lines, then `data: [DONE]`."""
    model = "askdocs"

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        body = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }
        return _encode(body).decode()

    async for event in _prepend(first, with_pings(events, PING_S)):
        if event is None:
            yield ServerSentEventMessage(data=None, comment="ping")
        elif isinstance(event, AnswerStarted):
            sources = [msgspec.to_builtins(Source.of(p)) for p in event.sources]
            yield ServerSentEventMessage(data=chunk({"role": "assistant"}, sources=sources))
        elif isinstance(event, AnswerDelta):
            yield ServerSentEventMessage(data=chunk({"content": event.text}))
        elif isinstance(event, AnswerFinished):
            model = event.answer.model
            usage = {
                "prompt_tokens": event.prompt_tokens,
                "completion_tokens": event.completion_tokens,
                "total_tokens": event.prompt_tokens + event.completion_tokens,
            }
            extra = _extra(event.answer, trace_id)
            yield ServerSentEventMessage(data=chunk({}, "stop", usage=usage, askdocs=extra))
        else:  # AnswerFailed: OpenAI's streams end an error this way, without [DONE]
            yield ServerSentEventMessage(data=_error(event.detail, trace_id))
            return
    yield ServerSentEventMessage(data="[DONE]")


def _error(detail: str, trace_id: str) -> str:
    return _encode(
        {"error": {"message": detail, "type": "upstream_error", "trace_id": trace_id}}
    ).decode()


async def _prepend(
    first: AnswerEvent, rest: AsyncIterator[AnswerEvent | None]
) -> AsyncIterator[AnswerEvent | None]:
    yield first
    async for event in rest:
        yield event
