"""AskQuestion: retrieve passages, have a model answer from them, cite what it used."""

from __future__ import annotations

import dataclasses
import time

from askdocs.application.errors import InvalidInput, NotFound, UpstreamError
from askdocs.application.ports import (
    AnswerCache,
    ChatModel,
    ChatRequest,
    Clock,
    ConversationStore,
    Embedder,
    IdGenerator,
    Metrics,
    SearchQuery,
    Tokenizer,
    VectorIndex,
)
from askdocs.domain.answers import (
    APOLOGY,
    NO_ANSWER,
    Answer,
    answer_fingerprint,
    clean_question,
    with_sources,
)
from askdocs.domain.conversations import Conversation, MemoryWindow, Turn
from askdocs.domain.documents import normalise_tags
from askdocs.domain.principals import Principal

MAX_TOP_K = 50
MEMORY_UNAVAILABLE = (
    "conversation memory is unavailable: this answer did not see earlier turns and is not "
    "remembered"
)
MEMORY_NOT_SAVED = "conversation memory is unavailable: this turn was not remembered"


@dataclasses.dataclass(frozen=True, slots=True)
class Question:
    """A question as asked over any entrypoint."""

    text: str
    principal: Principal
    session_id: str | None = None
    model: str | None = None
    top_k: int | None = None
    tags: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class Reply:
    """The answer and the session it now belongs to."""

    answer: Answer
    session_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class AskQuestion:
    """Answer a question from the live documents, remembering the conversation.

    A model failure degrades to a fixed apology (`degraded=True`) instead of an error.

    When the conversation store cannot be reached the answer is still given, without history
    and with a warning saying so.

    Raises:
        InvalidQuestion: empty or overlong question. InvalidInput: unknown model or bad top_k.
        NotFound: the session belongs to another principal.
    """

    index: VectorIndex
    embedder: Embedder
    chat_model: ChatModel
    cache: AnswerCache
    conversations: ConversationStore
    tokenizer: Tokenizer
    metrics: Metrics
    clock: Clock
    ids: IdGenerator
    memory: MemoryWindow
    default_model: str
    allowed_models: frozenset[str]
    default_top_k: int = 5

    async def execute(self, question: Question) -> Reply:
        started = time.perf_counter()
        text = clean_question(question.text)
        model = self._model(question.model)
        top_k = self._top_k(question.top_k)
        tags = normalise_tags(question.tags)
        warnings: list[str] = []
        try:
            conversation = await self._conversation(question)
        except UpstreamError:
            warnings.append(MEMORY_UNAVAILABLE)
            owner = question.principal.subject
            conversation = Conversation(id=question.session_id or self.ids.new_id(), owner=owner)
        history = tuple(self.memory.select(conversation.turns, self.tokenizer.count))
        fingerprint = answer_fingerprint(
            question=text, model=model, tags=tags, top_k=top_k, history=history
        )
        cached = await self.cache.lookup(fingerprint)
        answer = cached.answer
        self.metrics.increment("answer_cache", tags={"result": "hit" if answer else "miss"})
        if answer is not None:
            answer = dataclasses.replace(answer, cached=True)
        else:
            answer = await self._answer(text, history, model, top_k, tags)
            if not answer.degraded:
                await self.cache.put(fingerprint, cached.generation, answer)
        if not answer.degraded and not warnings:
            turn = Turn(question=text, answer=answer.text, at=self.clock.now())
            try:
                await self.conversations.append(
                    conversation.id, conversation.owner, turn, keep=self.memory.max_turns
                )
            except UpstreamError:
                warnings.append(MEMORY_NOT_SAVED)
        self.metrics.observe("ask_seconds", time.perf_counter() - started)
        if warnings:
            self.metrics.increment("conversation_memory_unavailable")
            answer = dataclasses.replace(answer, warnings=tuple(warnings))
        return Reply(answer=answer, session_id=conversation.id)

    async def _answer(
        self, text: str, history: tuple[Turn, ...], model: str, top_k: int, tags: tuple[str, ...]
    ) -> Answer:
        hits = await self.index.search(
            SearchQuery(
                text=text,
                embedding=await self.embedder.embed_query(text),
                embedding_model=self.embedder.model_id,
                k=top_k,
                tags=tags,
            )
        )
        passages = tuple(hit.passage() for hit in hits)
        if not passages:
            return Answer(NO_ANSWER, (), model=model, provider=self.chat_model.name)
        request = ChatRequest(question=text, passages=passages, history=history, model=model)
        try:
            completion = await self.chat_model.complete(request)
        except UpstreamError:
            self.metrics.increment("answers_degraded")
            return Answer(APOLOGY, (), model=model, provider="none", degraded=True)
        text, sources = with_sources(completion, passages)
        return Answer(
            text=text,
            sources=sources,
            model=completion.model,
            provider=completion.provider,
        )

    async def _conversation(self, question: Question) -> Conversation:
        owner = question.principal.subject
        if question.session_id is None:
            return Conversation(id=self.ids.new_id(), owner=owner)
        found = await self.conversations.get(question.session_id)
        if found is None:
            return Conversation(id=question.session_id, owner=owner)
        if found.owner != owner:
            raise NotFound(f"session {question.session_id} not found")
        return found

    def _model(self, requested: str | None) -> str:
        if requested is None:
            return self.default_model
        if requested not in self.allowed_models:
            allowed = ", ".join(sorted(self.allowed_models))
            raise InvalidInput(f"model {requested!r} is not offered; choose one of: {allowed}")
        return requested

    def _top_k(self, requested: int | None) -> int:
        if requested is None:
            return self.default_top_k
        if not 1 <= requested <= MAX_TOP_K:
            raise InvalidInput(f"top_k must be between 1 and {MAX_TOP_K}")
        return requested
