"""POST /api/v1/chat and DELETE /api/v1/chat/sessions/{id}."""

from __future__ import annotations

from typing import Any

import structlog
from litestar import Controller, Request, delete, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from askdocs.application.ask_question import AskQuestion, Question, Reply
from askdocs.application.errors import AppError
from askdocs.application.reset_conversation import ResetConversation
from askdocs.domain.answers import APOLOGY, Answer
from askdocs.domain.errors import DomainError
from askdocs.domain.principals import Principal, Role
from askdocs.entrypoints.http.request_context import request_id_of
from askdocs.entrypoints.http.schemas import ChatBody, ChatReply, Source
from askdocs.entrypoints.http.security import requires
from askdocs.entrypoints.wiring import CHAT

log = structlog.get_logger("askdocs.chat")


class ChatController(Controller):
    """Questions answered from the documents, with per-session memory."""

    path = "/api/v1/chat"
    tags = ["chat"]
    guards = [requires(Role.READER)]

    @post("/", status_code=200, opt={"rate_limit": CHAT})
    async def ask(
        self,
        data: JSONBody[ChatBody],
        request: Request[Principal, str, Any],
        ask_question: NamedDependency[AskQuestion],
    ) -> ChatReply:
        """Answer a question, citing the pages it came from.

        Unexpected failures still answer 200, with a fixed apology and `degraded: true`.
        """
        trace_id = request_id_of(request.scope)
        question = Question(
            text=data.question,
            principal=request.user,
            session_id=data.session_id,
            model=data.model,
            top_k=data.top_k,
            tags=tuple(data.tags),
        )
        try:
            reply = await ask_question.execute(question)
        except (AppError, DomainError):
            raise
        except Exception as exc:
            log.error("chat_failed", exc_info=exc)
            reply = Reply(
                answer=Answer(APOLOGY, (), model="none", provider="none", degraded=True),
                session_id=data.session_id or trace_id,
            )
        answer = reply.answer
        return ChatReply(
            answer=answer.text,
            sources=[Source.of(p) for p in answer.sources],
            session_id=reply.session_id,
            model=answer.model,
            provider=answer.provider,
            cached=answer.cached,
            degraded=answer.degraded,
            trace_id=trace_id,
            warnings=list(answer.warnings),
        )

    @delete("/sessions/{session_id:str}", status_code=204)
    async def reset(
        self,
        session_id: FromPath[str],
        request: Request[Principal, str, Any],
        reset_conversation: NamedDependency[ResetConversation],
    ) -> None:
        """Forget a conversation of the caller's."""
        await reset_conversation.execute(session_id, request.user)
