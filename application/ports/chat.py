"""Protocol: ChatModel, which writes an answer from retrieved passages, whole or streamed."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Protocol

from askdocs.domain.answers import Completion, Passage
from askdocs.domain.conversations import Turn
from askdocs.domain.prompts import Message


@dataclasses.dataclass(frozen=True, slots=True)
class ChatRequest:
    """Everything a model may use: the question, recent turns and numbered passages.

    Passages are data, never instructions: a model cites them by their 1-based position.
    `messages` is the prompt built from them for models that take one (`build_prompt`):
    only the passages that fit the token budget are in it, and in `passages`.
    """

    question: str
    passages: tuple[Passage, ...]
    history: tuple[Turn, ...] = ()
    model: str | None = None
    messages: tuple[Message, ...] = ()
    temperature: float | None = None
    """Sampling temperature for models that sample; None leaves the provider's default."""
    max_tokens: int | None = None
    """Cap on the answer's length, within the provider's own cap; None leaves that cap."""


@dataclasses.dataclass(frozen=True, slots=True)
class Delta:
    """A piece of a streamed answer, in order."""

    text: str


StreamEvent = Delta | Completion
"""What `ChatModel.stream` yields: deltas, then exactly one Completion (the whole answer)."""


class ChatModel(Protocol):
    """Protocol: completes a ChatRequest, at once or as a stream.

    Raises (from `complete`, and from `stream` at any point of the iteration):
        UpstreamTimeout, UpstreamUnavailable (UpstreamRateLimited, UpstreamAuthFailed): the
            model could not be reached, refused for now, or answered late: another provider
            may answer.
        UpstreamRejected: the model refused the request itself: no other provider is tried.
    """

    @property
    def name(self) -> str:
        """The provider name that responses report."""
        ...

    @property
    def models(self) -> tuple[str, ...]:
        """The models this provider offers, its default first."""
        ...

    @property
    def takes_sampling(self) -> bool:
        """Whether `temperature` and `max_tokens` change what the model writes (an
        extractive model quotes and ignores them)."""
        ...

    async def complete(self, request: ChatRequest) -> Completion:
        """The whole answer at once."""
        ...

    def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        """The answer as it is written: deltas, then the Completion."""
        ...
