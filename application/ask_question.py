"""AskQuestion: retrieve passages, have a model answer from them, cite what it used."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import AsyncIterator

from askdocs.application.answer_deadline import AnswerDeadline
from askdocs.application.errors import (
    AppError,
    InvalidInput,
    UpstreamError,
    UpstreamRejected,
)
from askdocs.application.ports import (
    AnswerCache,
    CacheLookup,
    ChatModel,
    ChatRequest,
    Clock,
    ConversationStore,
    Delta,
    IdGenerator,
    Metrics,
    Tokenizer,
)
from askdocs.application.retrieve_passages import RetrievePassages
from askdocs.domain.answers import (
    APOLOGY,
    NO_ANSWER,
    Answer,
    Completion,
    Passage,
    answer_fingerprint,
    clean_question,
    declined,
    with_sources,
)
from askdocs.domain.conversations import Conversation, MemoryWindow, Turn, checked_session_id
from askdocs.domain.documents import normalise_tags
from askdocs.domain.principals import Principal
from askdocs.domain.prompts import build_prompt

log = logging.getLogger("askdocs.chat")

MAX_TOP_K = 50
MAX_TEMPERATURE = 2.0
MAX_ANSWER_TOKENS = 32_768
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
    history: tuple[Turn, ...] | None = None
    """The conversation so far, when the caller keeps it (the OpenAI-compatible API): then no
    session is read or written."""
    temperature: float | None = None
    max_tokens: int | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Reply:
    """The answer and the session it now belongs to."""

    answer: Answer
    session_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class AnswerStarted:
    """First event of a streamed answer: the sources its `[n]` markers point at, in order."""

    sources: tuple[Passage, ...]
    session_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class AnswerDelta:
    """The next piece of a streamed answer's text."""

    text: str


@dataclasses.dataclass(frozen=True, slots=True)
class AnswerFinished:
    """Last event of a streamed answer that completed: the answer as stored and cited."""

    answer: Answer
    session_id: str
    cited: tuple[int, ...]
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclasses.dataclass(frozen=True, slots=True)
class AnswerFailed:
    """Last event of a streamed answer whose model failed after text had gone out."""

    detail: str


AnswerEvent = AnswerStarted | AnswerDelta | AnswerFinished | AnswerFailed


@dataclasses.dataclass(frozen=True, slots=True)
class Sampling:
    """How a sampling model should write: passed through to providers, ignored by the
    extractive answerer; None leaves each provider's default (and its operator's cap)."""

    temperature: float | None = None
    max_tokens: int | None = None

    @classmethod
    def of(cls, temperature: float | None, max_tokens: int | None) -> Sampling:
        """Raises InvalidInput outside 0-2 or 1-MAX_ANSWER_TOKENS."""
        if temperature is not None and not 0.0 <= temperature <= MAX_TEMPERATURE:
            raise InvalidInput(f"temperature must be between 0 and {MAX_TEMPERATURE:g}")
        if max_tokens is not None and not 1 <= max_tokens <= MAX_ANSWER_TOKENS:
            raise InvalidInput(f"max_tokens must be between 1 and {MAX_ANSWER_TOKENS}")
        return cls(temperature, max_tokens)

    def fingerprint(self) -> tuple[float | None, int | None]:
        return self.temperature, self.max_tokens


@dataclasses.dataclass(frozen=True, slots=True)
class _Asked:
    """A question made ready: checked, with its conversation, window and cache lookup."""

    text: str
    model: str | None
    top_k: int
    tags: tuple[str, ...]
    sampling: Sampling
    conversation: Conversation
    history: tuple[Turn, ...]
    warnings: tuple[str, ...]
    fingerprint: str
    cached: CacheLookup
    remember: bool


@dataclasses.dataclass(frozen=True, slots=True)
class _Evidence:
    passages: tuple[Passage, ...]
    coverage: float


@dataclasses.dataclass(frozen=True, slots=True)
class AskQuestion:
    """Answer a question from the live documents, remembering the conversation.

    `execute` answers at once; `stream` yields the answer as the model writes it. A failing
    model (every provider, behind the router) degrades to a fixed apology (`degraded=True`)
    instead of an error; in a stream, only until text has gone out, after which the stream
    ends with AnswerFailed. Answers are cached and remembered only when complete.

    Passages that hold too little of the question (`min_coverage`) are not handed to the
    model: the reply says the documents do not answer, cites the closest passages and is
    marked `answered=False`.

    When the conversation store cannot be reached the answer is still given, without history
    and with a warning saying so. The model has until `answer_deadline_s` after the question
    arrived, however many providers the router tries (AnswerDeadline).

    Raises:
        InvalidQuestion: empty or overlong question. InvalidInput: unknown model or bad top_k.
        NotFound: the session belongs to another principal.
    """

    retrieve: RetrievePassages
    chat_model: ChatModel
    cache: AnswerCache
    conversations: ConversationStore
    tokenizer: Tokenizer
    metrics: Metrics
    clock: Clock
    ids: IdGenerator
    memory: MemoryWindow
    default_top_k: int
    prompt_budget_tokens: int
    min_coverage: float
    """Retrieved passages holding less of the question (`Retrieved.coverage`) than this do
    not answer it: the reply says so, without asking the model."""
    answer_deadline_s: float
    """Seconds from a question's arrival by which the model must have answered (a stream:
    begun), every provider's attempt included; after them, the apology (AnswerDeadline)."""

    async def execute(self, question: Question) -> Reply:
        started = time.perf_counter()
        deadline = AnswerDeadline.starting_now(self.answer_deadline_s)
        asked = await self._ask(question)
        answer = asked.cached.answer
        if answer is not None:
            answer = dataclasses.replace(answer, cached=True)
        else:
            answer = await self._answer(asked, deadline)
            if not answer.degraded:
                await self.cache.put(asked.fingerprint, asked.cached.generation, answer)
        reply = await self._finish(asked, answer)
        self.metrics.observe("ask_seconds", time.perf_counter() - started)
        return reply

    async def stream(self, question: Question) -> AsyncIterator[AnswerEvent]:
        """The answer as events: AnswerStarted, AnswerDelta..., then AnswerFinished or
        AnswerFailed. Checks that fail (a bad question, someone else's session) raise before
        the first event."""
        started = time.perf_counter()
        deadline = AnswerDeadline.starting_now(self.answer_deadline_s)
        asked = await self._ask(question)
        session_id = asked.conversation.id
        if asked.cached.answer is not None:
            answer = dataclasses.replace(asked.cached.answer, cached=True)
            yield AnswerStarted(answer.sources, session_id)
            cited = tuple(range(1, len(answer.sources) + 1))
            async for said in self._all_at_once(asked, answer, cited):
                yield said
            return
        retrieved = await self._retrieve(asked)
        request = self._request(asked, retrieved.passages)
        yield AnswerStarted(request.passages, session_id)
        if not request.passages:
            answer = _nothing_found(asked)
            async for said in self._all_at_once(asked, answer, ()):
                yield said
            return
        if retrieved.coverage < self.min_coverage:
            answer = self._declined(asked, request)
            cited = tuple(range(1, len(answer.sources) + 1))
            async for said in self._all_at_once(asked, answer, cited):
                yield said
            return
        completion: Completion | None = None
        said_anything = False
        try:
            async for event in deadline.stream(self.chat_model, request):
                if isinstance(event, Delta):
                    said_anything = True
                    yield AnswerDelta(event.text)
                else:
                    completion = event
        except (UpstreamError, UpstreamRejected) as exc:
            if said_anything:
                self.metrics.increment("answers_failed_midway")
                yield AnswerFailed(f"the answer was cut short: {exc.detail}")
                return
            async for said in self._all_at_once(asked, self._degraded(asked, exc), ()):
                yield said
            return
        if completion is None:  # a model that ended without its Completion: a broken stream
            yield AnswerFailed("the answer ended before it was complete")
            return
        text, sources = with_sources(completion, request.passages)
        answer = Answer(
            text,
            sources,
            model=completion.model,
            provider=completion.provider,
            answered=completion.answered,
        )
        await self.cache.put(asked.fingerprint, asked.cached.generation, answer)
        reply = await self._finish(asked, answer)
        cited = tuple(n for n in completion.cited if 1 <= n <= len(request.passages))
        yield AnswerFinished(
            dataclasses.replace(reply.answer, text=completion.text),
            session_id,
            cited,
            completion.prompt_tokens,
            completion.completion_tokens,
        )
        self.metrics.observe("ask_seconds", time.perf_counter() - started)

    async def _all_at_once(
        self, asked: _Asked, answer: Answer, cited: tuple[int, ...]
    ) -> AsyncIterator[AnswerEvent]:
        """An answer known whole (cached, none found, the apology) as its last two events."""
        yield AnswerDelta(answer.text)
        reply = await self._finish(asked, answer)
        yield AnswerFinished(reply.answer, reply.session_id, cited)

    async def _ask(self, question: Question) -> _Asked:
        text = clean_question(question.text)
        model = self._model(question.model)
        top_k = self._top_k(question.top_k)
        tags = normalise_tags(question.tags)
        sampling = Sampling.of(question.temperature, question.max_tokens)
        warnings: list[str] = []
        try:
            conversation = await self._conversation(question)
        except UpstreamError:
            warnings.append(MEMORY_UNAVAILABLE)
            owner = question.principal.subject
            conversation = Conversation(id=question.session_id or self.ids.new_id(), owner=owner)
        history = tuple(self.memory.select(conversation.turns, self.tokenizer.count))
        fingerprint = answer_fingerprint(
            question=text,
            model=model or "",
            tags=tags,
            top_k=top_k,
            history=history,
            sampling=sampling.fingerprint(),
        )
        cached = await self.cache.lookup(fingerprint)
        self.metrics.increment("answer_cache", tags={"result": "hit" if cached.answer else "miss"})
        return _Asked(
            text,
            model,
            top_k,
            tags,
            sampling,
            conversation,
            history,
            tuple(warnings),
            fingerprint,
            cached,
            remember=question.history is None,
        )

    async def _retrieve(self, asked: _Asked) -> _Evidence:
        retrieved = await self.retrieve.execute(asked.text, k=asked.top_k, tags=asked.tags)
        passages = tuple(hit.passage() for hit in retrieved.hits)
        return _Evidence(passages, retrieved.coverage())

    def _declined(self, asked: _Asked, request: ChatRequest) -> Answer:
        """The answer when the passages do not bear on the question."""
        self.metrics.increment("answers_declined")
        completion = declined(request.passages, model=asked.model or "none", provider="none")
        text, sources = with_sources(completion, request.passages)
        return Answer(text, sources, model=completion.model, provider="none", answered=False)

    def _request(self, asked: _Asked, passages: tuple[Passage, ...]) -> ChatRequest:
        """The request to the model: only the passages that fit the prompt's token budget."""
        messages, kept = build_prompt(
            asked.text,
            passages,
            asked.history,
            count_tokens=self.tokenizer.count,
            budget_tokens=self.prompt_budget_tokens,
        )
        return ChatRequest(
            question=asked.text,
            passages=passages[:kept],
            history=asked.history,
            model=asked.model,
            messages=tuple(messages),
            temperature=asked.sampling.temperature,
            max_tokens=asked.sampling.max_tokens,
        )

    async def _answer(self, asked: _Asked, deadline: AnswerDeadline) -> Answer:
        retrieved = await self._retrieve(asked)
        request = self._request(asked, retrieved.passages)
        if not request.passages:
            return _nothing_found(asked)
        if retrieved.coverage < self.min_coverage:
            return self._declined(asked, request)
        try:
            completion = await deadline.complete(self.chat_model, request)
        except (UpstreamError, UpstreamRejected) as exc:
            return self._degraded(asked, exc)
        text, sources = with_sources(completion, request.passages)
        return Answer(
            text=text,
            sources=sources,
            model=completion.model,
            provider=completion.provider,
            answered=completion.answered,
        )

    def _degraded(self, asked: _Asked, cause: AppError) -> Answer:
        log.warning("answering failed, apologising: %s", cause.detail or type(cause).__name__)
        self.metrics.increment("answers_degraded")
        return Answer(APOLOGY, (), model=asked.model or "none", provider="none", degraded=True)

    async def _finish(self, asked: _Asked, answer: Answer) -> Reply:
        """Remember the turn (unless degraded or memory is down) and attach the warnings."""
        warnings = list(asked.warnings)
        conversation = asked.conversation
        if not answer.degraded and not warnings and asked.remember:
            turn = Turn(question=asked.text, answer=answer.text, at=self.clock.now())
            try:
                await self.conversations.append(
                    conversation.id, conversation.owner, turn, keep=self.memory.max_turns
                )
            except UpstreamError:
                warnings.append(MEMORY_NOT_SAVED)
        if warnings:
            self.metrics.increment("conversation_memory_unavailable")
            answer = dataclasses.replace(answer, warnings=tuple(warnings))
        return Reply(answer=answer, session_id=conversation.id)

    async def _conversation(self, question: Question) -> Conversation:
        owner = question.principal.subject
        if question.history is not None:
            return Conversation(id=self.ids.new_id(), owner=owner, turns=question.history)
        if question.session_id is None:
            return Conversation(id=self.ids.new_id(), owner=owner)
        session_id = checked_session_id(question.session_id)
        found = await self.conversations.get(session_id, owner)
        return found or Conversation(id=session_id, owner=owner)

    def _model(self, requested: str | None) -> str | None:
        """The model asked for, if the chat model offers it; None leaves the choice to it."""
        if requested is None:
            return None
        if requested not in self.chat_model.models:
            offered = ", ".join(self.chat_model.models)
            raise InvalidInput(f"model {requested!r} is not offered; choose one of: {offered}")
        return requested

    def _top_k(self, requested: int | None) -> int:
        if requested is None:
            return self.default_top_k
        if not 1 <= requested <= MAX_TOP_K:
            raise InvalidInput(f"top_k must be between 1 and {MAX_TOP_K}")
        return requested


def _nothing_found(asked: _Asked) -> Answer:
    """The answer when no passage was retrieved at all (an empty or filtered-out corpus)."""
    return Answer(NO_ANSWER, (), model=asked.model or "none", provider="none", answered=False)
