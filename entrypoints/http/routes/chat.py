"""POST /api/v1/chat and DELETE /api/v1/chat/sessions/{id}."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, post
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromQuery, JSONBody, PathParameter
from litestar.response import ServerSentEvent

from askdocs.application.ask_question import AskQuestion, Question
from askdocs.application.reset_conversation import ResetConversation
from askdocs.domain.principals import Principal, Role
from askdocs.entrypoints.http.chat_events import answer_stream
from askdocs.entrypoints.http.openapi import JSON_BODY, documented
from askdocs.entrypoints.http.operations import AnswerStreamOperation
from askdocs.entrypoints.http.schemas import ChatBody, ChatReply, Source
from askdocs.entrypoints.http.security import requires
from askdocs.entrypoints.http.tracing import SERVER_TIMING_OPT, trace_id_of
from askdocs.entrypoints.wiring import CHAT

SESSION_ID_PATTERN = r"^[A-Za-z0-9._\-]{1,128}$"
"""What `checked_session_id` admits, stated for the OpenAPI document."""

STREAM_DESCRIPTION = (
    "The answer; or, with `stream: true` or `Accept: text/event-stream`, Server-Sent Events: "
    "`meta` (session_id, sources), `delta` (text)..., then `done` (usage, provider, model, "
    "cached, degraded, cited, trace_id) or `error` (detail, trace_id)."
)


class ChatController(Controller):
    """Questions answered from the documents, with per-session memory."""

    path = "/api/v1/chat"
    request_max_body_size = (
        64 * 1024
    )  # a question is at most 4,000 characters; not the upload limit
    tags = ["chat"]
    guards = [requires(Role.READER)]

    @post(
        "/",
        status_code=200,
        opt={"rate_limit": CHAT, SERVER_TIMING_OPT: True},
        **documented(
            *JSON_BODY, 404, 502,
            operation=AnswerStreamOperation,
            responses={
                200: ResponseSpec(
                    ChatReply, description=STREAM_DESCRIPTION, generate_examples=False
                )
            },
        ),
    )  # fmt: skip
    async def ask(
        self,
        data: JSONBody[ChatBody],
        request: Request[Principal, str, Any],
        ask_question: NamedDependency[AskQuestion],
        model: FromQuery[str | None] = None,
    ) -> Response[Any]:  # Response, not a union: a union made Litestar label SSE as JSON
        """Answer a question, citing the pages it came from.

        With `stream: true` or `Accept: text/event-stream` the answer streams as Server-Sent
        Events. A model may be named in the body or as `?model=` (the body wins). Unexpected
        failures still answer 200, with a fixed apology and `degraded: true`.
        """
        trace_id = trace_id_of(request.scope)
        question = Question(
            text=data.question,
            principal=request.user,
            session_id=data.session_id,
            model=data.model or model,
            top_k=data.top_k,
            tags=tuple(data.tags),
            temperature=data.temperature,
            max_tokens=data.max_tokens,
        )
        if data.stream or "text/event-stream" in request.headers.get("accept", ""):
            return await _streamed(ask_question, question, trace_id)
        reply = await ask_question.execute(question)
        answer = reply.answer
        reply_body = ChatReply(
            answer=answer.text,
            sources=[Source.of(p) for p in answer.sources],
            session_id=reply.session_id,
            model=answer.model,
            provider=answer.provider,
            cached=answer.cached,
            degraded=answer.degraded,
            trace_id=trace_id,
            warnings=list(answer.warnings),
            answered=answer.answered,
        )
        return Response(reply_body)

    @delete("/sessions/{session_id:str}", status_code=204, **documented(404, 422))
    async def reset(
        self,
        session_id: Annotated[
            str, PathParameter(pattern=SESSION_ID_PATTERN, min_length=1, max_length=128)
        ],
        request: Request[Principal, str, Any],
        reset_conversation: NamedDependency[ResetConversation],
    ) -> None:
        """Forget a conversation of the caller's."""
        await reset_conversation.execute(session_id, request.user)


async def _streamed(
    ask_question: AskQuestion, question: Question, trace_id: str
) -> ServerSentEvent:
    """The answer as SSE. The first event is awaited here, so that a bad question or someone
    else's session is refused with a problem response, not inside a stream."""
    events = ask_question.stream(question)
    first = await anext(events)
    stream = answer_stream(first, events, trace_id=trace_id)
    return ServerSentEvent(stream, headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
