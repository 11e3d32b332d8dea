"""Conversations and the memory window that decides which past turns reach the prompt."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from datetime import datetime

from askdocs.domain.errors import InvalidSessionId

MAX_REMEMBERED_TURNS = 30
MAX_SESSION_ID_CHARS = 128
_SESSION_ID = re.compile(rf"[A-Za-z0-9._\-]{{1,{MAX_SESSION_ID_CHARS}}}")


def checked_session_id(session_id: str) -> str:
    """`session_id` if a client may use it, as request ids: 1-128 letters, digits, `.`, `_`
    or `-` (a session id is a key in the conversation store and appears in logs).

    Raises:
        InvalidSessionId: any other id.
    """
    if _SESSION_ID.fullmatch(session_id) is None:
        raise InvalidSessionId(
            f"a session id is 1-{MAX_SESSION_ID_CHARS} letters, digits, '.', '_' or '-'"
        )
    return session_id


@dataclasses.dataclass(frozen=True, slots=True)
class Turn:
    """One question and the answer given to it."""

    question: str
    answer: str
    at: datetime


@dataclasses.dataclass(frozen=True, slots=True)
class Conversation:
    """A session's turns, oldest first, owned by the principal that started it."""

    id: str
    owner: str
    turns: tuple[Turn, ...] = ()

    def with_turn(self, turn: Turn, *, keep: int) -> Conversation:
        kept = (*self.turns, turn)[-keep:] if keep > 0 else ()
        return dataclasses.replace(self, turns=kept)


@dataclasses.dataclass(frozen=True, slots=True)
class MemoryWindow:
    """At most `max_turns` recent turns, dropped oldest first to fit `token_budget`."""

    max_turns: int
    token_budget: int

    def __post_init__(self) -> None:
        if not 0 <= self.max_turns <= MAX_REMEMBERED_TURNS:
            raise ValueError(f"memory keeps between 0 and {MAX_REMEMBERED_TURNS} turns")
        if self.token_budget < 0:
            raise ValueError("the memory token budget cannot be negative")

    def select(self, turns: Sequence[Turn], count_tokens: Callable[[str], int]) -> list[Turn]:
        """The newest turns whose question and answer together fit the budget, oldest first."""
        chosen: list[Turn] = []
        spent = 0
        for turn in reversed(turns[-self.max_turns :] if self.max_turns else []):
            cost = count_tokens(turn.question) + count_tokens(turn.answer)
            if spent + cost > self.token_budget:
                break
            chosen.append(turn)
            spent += cost
        chosen.reverse()
        return chosen
