"""How an answer ends when answering fails, and the outcome every question is measured under.

One policy for every transport (the chat API whole or streamed, the OpenAI-compatible API,
anything embedding askdocs), so that they only translate events:

- A refusal (AppError or DomainError) before the answer started is raised: a bad question,
  someone else's session, a database that is down. Transports answer it as an error.
- Any other failure before text went out ends the answer as the apology (`degraded=True`,
  not cached, not remembered): every provider failing, the chat's deadline passing, or a
  failure nobody planned for, whose cause goes to the log only.
- A failure after text went out cannot take that text back: the answer ends with
  AnswerFailed.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

from askdocs.application.answer_events import (
    AnswerDelta,
    AnswerEvent,
    AnswerFailed,
    AnswerFinished,
    AnswerStarted,
)
from askdocs.application.errors import AppError, UpstreamError, UpstreamRejected
from askdocs.application.ports import Metrics
from askdocs.domain.answers import APOLOGY, Answer
from askdocs.domain.errors import DomainError

log = logging.getLogger("askdocs.chat")

ANSWERED = "answered"
CACHED = "cached"
DECLINED = "declined"
"""The documents do not answer (or nothing was found): the reply says so."""
DEGRADED = "degraded"
"""The apology: every provider failed, the deadline passed, or something unexpected."""
CUT_SHORT = "cut_short"
"""Text went out, then answering failed (AnswerFailed)."""
REFUSED = "refused"
"""An error raised to the caller before the answer started (a problem response)."""
CANCELLED = "cancelled"
"""The caller stopped reading before the answer ended (a client that went away)."""


def apology(model: str | None = None, warnings: tuple[str, ...] = ()) -> Answer:
    """The answer given instead of one that could not be written."""
    return Answer(
        APOLOGY, (), model=model or "none", provider="none", degraded=True, warnings=warnings
    )


@dataclasses.dataclass(slots=True)
class Progress:
    """How far an answer got: what a failure may still change, and how it ended so far."""

    session_id: str | None = None
    model: str | None = None
    warnings: tuple[str, ...] = ()
    started: bool = False
    said_anything: bool = False
    outcome: str = CANCELLED

    def saw(self, event: AnswerEvent) -> None:
        """Note an event on its way to the caller."""
        if isinstance(event, AnswerStarted):
            self.started, self.session_id = True, event.session_id
        elif isinstance(event, AnswerDelta):
            self.said_anything = True
        elif isinstance(event, AnswerFailed):
            self.outcome = CUT_SHORT
        else:
            self.outcome = _outcome_of(event.answer)


def after_failure(
    failure: Exception, progress: Progress, *, metrics: Metrics, new_id: Callable[[], str]
) -> tuple[AnswerEvent, ...]:
    """The events that end an answer which failed with `failure` after `progress`; raises
    `failure` itself when it is a refusal."""
    if not progress.started and isinstance(failure, AppError | DomainError):
        progress.outcome = REFUSED
        raise failure
    # A backend's failure (the model's, as a rule) is foreseen and its detail fit to show;
    # anything else is a fault whose cause stays in the log.
    upstream = failure if isinstance(failure, UpstreamError | UpstreamRejected) else None
    if upstream is not None:
        log.warning("answering failed: %s", upstream.detail or type(upstream).__name__)
    else:
        log.error("chat_failed", exc_info=failure)
    if progress.said_anything:
        metrics.increment("answers_failed_midway")
        if upstream is not None:
            return (AnswerFailed(f"the answer was cut short: {upstream.detail}"),)
        return (AnswerFailed("the answer could not be completed"),)
    metrics.increment("answers_degraded")
    session_id = progress.session_id or new_id()
    answer = apology(progress.model, progress.warnings)
    opening = () if progress.started else (AnswerStarted((), session_id),)
    return (*opening, AnswerDelta(answer.text), AnswerFinished(answer, session_id, ()))


def _outcome_of(answer: Answer) -> str:
    if answer.degraded:
        return DEGRADED
    if answer.cached:
        return CACHED
    return ANSWERED if answer.answered else DECLINED
