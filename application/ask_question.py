"""AskQuestion: retrieve passages, have a model answer from them, cite what it used."""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import AsyncGenerator, AsyncIterator

from askdocs.application.answer_deadline import AnswerDeadline
from askdocs.application.answer_events import (
    AnswerDelta,
    AnswerEvent,
    AnswerFailed,
    AnswerFinished,
    AnswerStarted,
    Question,
    Reply,
)
from askdocs.application.answer_memory import MEMORY_NOT_SAVED, MEMORY_UNAVAILABLE, AnswerMemory
from askdocs.application.answer_outcomes import Progress, after_failure
from askdocs.application.asked_question import (
    MAX_ANSWER_TOKENS,
    MAX_TEMPERATURE,
    Asked,
    Checked,
    Sampling,
)
from askdocs.application.embedding_models import TEXT_ONLY
from askdocs.application.errors import InvalidInput, UpstreamUnavailable
from askdocs.application.ports import (
    AnswerCache,
    ChatModel,
    ChatRequest,
    Clock,
    ConversationStore,
    Delta,
    IdGenerator,
    Metrics,
    Tokenizer,
)
from askdocs.application.ports.tracing import Tracer
from askdocs.application.retrieve_passages import RetrievePassages
from askdocs.domain.answers import (
    NO_ANSWER,
    Answer,
    Completion,
    Passage,
    clean_question,
    declined,
    with_sources,
)
from askdocs.domain.conversations import MemoryWindow
from askdocs.domain.documents import normalise_tags
from askdocs.domain.prompts import build_prompt

__all__ = [
    "MAX_ANSWER_TOKENS",
    "MAX_TEMPERATURE",
    "MAX_TOP_K",
    "MEMORY_NOT_SAVED",
    "MEMORY_UNAVAILABLE",
    "AnswerDelta",
    "AnswerEvent",
    "AnswerFailed",
    "AnswerFinished",
    "AnswerStarted",
    "AskQuestion",
    "Question",
    "Reply",
    "Sampling",
]

MAX_TOP_K = 50


@dataclasses.dataclass(frozen=True, slots=True)
class _Evidence:
    passages: tuple[Passage, ...]
    coverage: float
    text_only: bool


@dataclasses.dataclass(frozen=True, slots=True)
class AskQuestion:
    """Answer a question from the live documents, remembering the conversation.

    `execute` answers at once; `stream` yields the answer as the model writes it. Both are one
    flow of events, so caching, memory, the deadline, the degrade policy and the metrics are
    the same for both: a failing model (every provider, behind the router), a passed deadline
    or an unexpected fault give a fixed apology (`degraded=True`) instead of an error; in a
    stream, only until text has gone out, after which it ends with AnswerFailed
    (answer_outcomes). Answers are cached and remembered only when complete. `ask_seconds`
    is observed once per question, tagged with its `outcome`; `answers_declined` counts every
    reply that says the documents do not answer, from the cache too: it counts what askers
    were told.

    Passages that hold too little of the question (`min_coverage`) are not handed to the
    model: the reply says the documents do not answer, cites the closest passages and is
    marked `answered=False`.

    When the conversation store cannot be reached the answer is still given, without history
    and with a warning saying so. The model has until `answer_deadline_s` after the question
    arrived, however many providers the router tries (AnswerDeadline).

    Raises:
        InvalidQuestion: empty or overlong question. InvalidInput: unknown model or bad top_k.
        NotFound: the session belongs to another principal. Any other AppError raised before
        the answer started (a backend that is down), as the caller's error.
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
    tracer: Tracer
    _remembering: AnswerMemory = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        remembering = AnswerMemory(
            self.cache,
            self.conversations,
            self.tokenizer,
            self.metrics,
            self.clock,
            self.ids,
            self.memory,
            self.tracer,
        )
        object.__setattr__(self, "_remembering", remembering)

    async def execute(self, question: Question) -> Reply:
        """The answer at once. The model is asked for it whole, so the router may still fall
        back to another provider however far the first one got."""
        last: AnswerEvent | None = None
        async for event in self._answering(question, streaming=False):
            last = event
        # A whole answer's text goes out only with its end, so it is never cut short.
        assert isinstance(last, AnswerFinished)
        return Reply(last.answer, last.session_id)

    def stream(self, question: Question) -> AsyncIterator[AnswerEvent]:
        """The answer as events: AnswerStarted, AnswerDelta..., then AnswerFinished or
        AnswerFailed. Refusals (a bad question, someone else's session) raise before the
        first event; closing the iterator early ends the model's request."""
        return self._answering(question, streaming=True)

    async def _answering(
        self, question: Question, *, streaming: bool
    ) -> AsyncIterator[AnswerEvent]:
        began = time.perf_counter()
        progress = Progress(session_id=question.session_id)
        with self.tracer.span("answer", attributes={"askdocs.streaming": streaming}) as span:
            try:
                try:
                    answer = self._answer(question, progress, streaming=streaming)
                    async with contextlib.aclosing(answer) as events:
                        async for event in events:
                            progress.saw(event)
                            if isinstance(event, AnswerFinished) and not event.answer.answered:
                                self.metrics.increment("answers_declined")
                            yield event
                except Exception as failure:  # noqa: BLE001 - the degrade policy decides, logs
                    ending = after_failure(
                        failure, progress, metrics=self.metrics, new_id=self.ids.new_id
                    )
                    span.record_error(failure)  # a refusal was raised, and recorded, above
                    for event in ending:
                        progress.saw(event)
                        yield event
            finally:
                elapsed = time.perf_counter() - began
                self.metrics.observe("ask_seconds", elapsed, tags={"outcome": progress.outcome})
                span.set_attributes({"askdocs.answer.outcome": progress.outcome})

    async def _answer(
        self, question: Question, progress: Progress, *, streaming: bool
    ) -> AsyncGenerator[AnswerEvent, None]:
        deadline = AnswerDeadline.starting_now(self.answer_deadline_s)
        asked = await self._remembering.recall(question, self._checked(question))
        session_id = asked.conversation.id
        progress.session_id, progress.model = session_id, asked.model
        progress.warnings = asked.warnings
        if asked.cached.answer is not None:
            answer = dataclasses.replace(asked.cached.answer, cached=True)
            yield AnswerStarted(answer.sources, session_id)
            kept = await self._remembering.keep(asked, answer, store=False)
            yield AnswerDelta(kept.text)
            yield AnswerFinished(kept, session_id, _every_source(kept))
            return
        evidence = await self._retrieve(asked)
        request = self._request(asked, evidence.passages)
        yield AnswerStarted(request.passages, session_id)
        completion: Completion | None = None
        said_anything = False
        if not request.passages:
            completion = Completion(NO_ANSWER, (), asked.model or "none", "none", answered=False)
        elif evidence.coverage < self.min_coverage:
            completion = declined(request.passages, model=asked.model or "none", provider="none")
        elif not streaming:
            completion = await deadline.complete(self.chat_model, request)
        else:
            async with contextlib.aclosing(deadline.stream(self.chat_model, request)) as written:
                async for event in written:
                    if isinstance(event, Delta):
                        said_anything = True
                        yield AnswerDelta(event.text)
                    else:
                        completion = event
        if completion is None:
            raise UpstreamUnavailable("the model's answer ended before it was complete")
        text, sources = with_sources(completion, request.passages)
        answer = Answer(
            text,
            sources,
            model=completion.model,
            provider=completion.provider,
            answered=completion.answered,
            warnings=(TEXT_ONLY,) if evidence.text_only else (),
        )
        # Found by words alone, it is not what the question gets once a model reads it again.
        kept = await self._remembering.keep(asked, answer, store=not evidence.text_only)
        if not said_anything:  # numbered as AnswerStarted's sources, as streamed text is
            yield AnswerDelta(completion.text)
        cited = tuple(n for n in completion.cited if 1 <= n <= len(request.passages))
        yield AnswerFinished(
            kept, session_id, cited, completion.prompt_tokens, completion.completion_tokens
        )

    def _checked(self, question: Question) -> Checked:
        return Checked(
            text=clean_question(question.text),
            model=self._model(question.model),
            top_k=self._top_k(question.top_k),
            tags=normalise_tags(question.tags),
            sampling=Sampling.of(question.temperature, question.max_tokens),
        )

    async def _retrieve(self, asked: Asked) -> _Evidence:
        checked = asked.checked
        retrieved = await self.retrieve.execute(checked.text, k=checked.top_k, tags=checked.tags)
        passages = tuple(hit.passage() for hit in retrieved.hits)
        return _Evidence(passages, retrieved.coverage(), retrieved.text_only)

    def _request(self, asked: Asked, passages: tuple[Passage, ...]) -> ChatRequest:
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
            temperature=asked.checked.sampling.temperature,
            max_tokens=asked.checked.sampling.max_tokens,
        )

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


def _every_source(answer: Answer) -> tuple[int, ...]:
    """A whole answer cites each of its sources: they are the ones AnswerStarted listed."""
    return tuple(range(1, len(answer.sources) + 1))
