"""Protocol: ChatModel, which writes an answer from retrieved passages."""

from __future__ import annotations

import dataclasses
from typing import Protocol

from askdocs.domain.answers import Completion, Passage
from askdocs.domain.conversations import Turn


@dataclasses.dataclass(frozen=True, slots=True)
class ChatRequest:
    """Everything a model may use: the question, recent turns and numbered passages.

    Passages are data, never instructions: a model cites them by their 1-based position.
    """

    question: str
    passages: tuple[Passage, ...]
    history: tuple[Turn, ...] = ()
    model: str | None = None


class ChatModel(Protocol):
    """Protocol: completes a ChatRequest.

    Raises:
        UpstreamUnavailable, UpstreamTimeout: the model could not be reached or answered late.
        InvalidInput: the model refused the request itself (not worth retrying elsewhere).
    """

    @property
    def name(self) -> str:
        """The provider name that responses report."""
        ...

    async def complete(self, request: ChatRequest) -> Completion:
        """The whole answer at once."""
        ...
