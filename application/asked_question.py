"""A question made ready to answer: its checked values, its conversation, its cache lookup."""

from __future__ import annotations

import dataclasses

from askdocs.application.errors import InvalidInput
from askdocs.application.ports import CacheLookup
from askdocs.domain.conversations import Conversation, Turn

MAX_TEMPERATURE = 2.0
MAX_ANSWER_TOKENS = 32_768


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
class Checked:
    """A question's values once checked: what the answer, and so its cache key, depends on
    besides the conversation."""

    text: str
    model: str | None
    top_k: int
    tags: tuple[str, ...]
    sampling: Sampling


@dataclasses.dataclass(frozen=True, slots=True)
class Asked:
    """A question made ready: checked, with its conversation, window and cache lookup."""

    checked: Checked
    conversation: Conversation
    history: tuple[Turn, ...]
    """The turns the answer sees: the conversation's, within the memory window."""
    warnings: tuple[str, ...]
    """What the reply must say it lacks (conversation memory that could not be read)."""
    fingerprint: str
    cached: CacheLookup
    remember: bool
    """Whether the turn is kept in the conversation (not when the caller keeps it)."""

    @property
    def text(self) -> str:
        return self.checked.text

    @property
    def model(self) -> str | None:
        return self.checked.model
