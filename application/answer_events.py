"""A question as asked, and its answer as the events every transport translates."""

from __future__ import annotations

import dataclasses

from askdocs.domain.answers import Answer, Passage
from askdocs.domain.conversations import Turn
from askdocs.domain.principals import Principal


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
    """First event of an answer: the sources its `[n]` markers point at, in order."""

    sources: tuple[Passage, ...]
    session_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class AnswerDelta:
    """The next piece of an answer's text."""

    text: str


@dataclasses.dataclass(frozen=True, slots=True)
class AnswerFinished:
    """Last event of an answer that completed: the answer as stored, with only the sources it
    cites (renumbered); `cited` are those sources' places among AnswerStarted's. The apology
    (`answer.degraded`) ends this way too."""

    answer: Answer
    session_id: str
    cited: tuple[int, ...]
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclasses.dataclass(frozen=True, slots=True)
class AnswerFailed:
    """Last event of an answer that failed after some of its text had gone out: the text
    cannot be taken back, so the apology cannot replace it. `detail` is for the client."""

    detail: str


AnswerEvent = AnswerStarted | AnswerDelta | AnswerFinished | AnswerFailed
"""AnswerStarted, AnswerDelta..., then AnswerFinished or AnswerFailed: always in this order,
and always ending with one of the last two."""
