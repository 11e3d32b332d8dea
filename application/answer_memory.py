"""AnswerMemory: the answer cache and the conversation memory on either side of an answer."""

from __future__ import annotations

import dataclasses

from askdocs.application.answer_events import Question
from askdocs.application.asked_question import Asked, Checked
from askdocs.application.errors import UpstreamError
from askdocs.application.ports import (
    AnswerCache,
    Clock,
    ConversationStore,
    IdGenerator,
    Metrics,
    Tokenizer,
)
from askdocs.application.ports.tracing import Tracer
from askdocs.domain.answers import Answer, answer_fingerprint
from askdocs.domain.conversations import Conversation, MemoryWindow, Turn, checked_session_id

MEMORY_UNAVAILABLE = (
    "conversation memory is unavailable: this answer did not see earlier turns and is not "
    "remembered"
)
MEMORY_NOT_SAVED = "conversation memory is unavailable: this turn was not remembered"


@dataclasses.dataclass(frozen=True, slots=True)
class AnswerMemory:
    """What a question is answered with from before (the conversation's window, a cached
    answer), and what is kept of its answer afterwards.

    A conversation store that cannot be reached (UpstreamError) costs the answer its history
    or its place in the conversation, never the answer: the reply carries a warning instead.

    Raises:
        NotFound, InvalidSessionId: from `recall`, for a session that cannot be read.
    """

    cache: AnswerCache
    conversations: ConversationStore
    tokenizer: Tokenizer
    metrics: Metrics
    clock: Clock
    ids: IdGenerator
    window: MemoryWindow
    tracer: Tracer

    async def recall(self, question: Question, checked: Checked) -> Asked:
        """The question with its conversation, the window the answer sees, and the cache's
        answer for them."""
        warnings: tuple[str, ...] = ()
        try:
            conversation = await self._conversation(question)
        except UpstreamError:
            self.metrics.increment("conversation_memory_unavailable")
            warnings = (MEMORY_UNAVAILABLE,)
            owner = question.principal.subject
            conversation = Conversation(id=question.session_id or self.ids.new_id(), owner=owner)
        history = tuple(self.window.select(conversation.turns, self.tokenizer.count))
        fingerprint = answer_fingerprint(
            question=checked.text,
            model=checked.model or "",
            tags=checked.tags,
            top_k=checked.top_k,
            history=history,
            sampling=checked.sampling.fingerprint(),
        )
        with self.tracer.span("answer_cache.lookup") as span:
            cached = await self.cache.lookup(fingerprint)
            span.set_attributes({"askdocs.cache.hit": cached.answer is not None})
        self.metrics.increment("answer_cache", tags={"result": "hit" if cached.answer else "miss"})
        remember = question.history is None
        return Asked(checked, conversation, history, warnings, fingerprint, cached, remember)

    async def keep(self, asked: Asked, answer: Answer, *, store: bool) -> Answer:
        """Cache the answer (when `store`) and remember the turn, unless the answer is the
        apology; the answer with the warnings its reply must carry."""
        if answer.degraded:
            return _with_warnings(answer, asked.warnings)
        if store:
            with self.tracer.span("answer_cache.store"):
                await self.cache.put(asked.fingerprint, asked.cached.generation, answer)
        if asked.warnings or not asked.remember:
            return _with_warnings(answer, asked.warnings)
        turn = Turn(question=asked.text, answer=answer.text, at=self.clock.now())
        conversation = asked.conversation
        try:
            await self.conversations.append(
                conversation.id, conversation.owner, turn, keep=self.window.max_turns
            )
        except UpstreamError:
            self.metrics.increment("conversation_memory_unavailable")
            return _with_warnings(answer, (MEMORY_NOT_SAVED,))
        return answer

    async def _conversation(self, question: Question) -> Conversation:
        owner = question.principal.subject
        if question.history is not None:
            return Conversation(id=self.ids.new_id(), owner=owner, turns=question.history)
        if question.session_id is None:
            return Conversation(id=self.ids.new_id(), owner=owner)
        session_id = checked_session_id(question.session_id)
        found = await self.conversations.get(session_id, owner)
        return found or Conversation(id=session_id, owner=owner)


def _with_warnings(answer: Answer, warnings: tuple[str, ...]) -> Answer:
    """The answer with `warnings` after its own (a search by words alone)."""
    return (
        dataclasses.replace(answer, warnings=(*answer.warnings, *warnings)) if warnings else answer
    )
