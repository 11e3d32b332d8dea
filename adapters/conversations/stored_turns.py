"""Turns as the conversation stores keep them: msgspec structs, encoded."""

from __future__ import annotations

from datetime import datetime

import msgspec

from askdocs.domain.conversations import Turn


class StoredTurn(msgspec.Struct, frozen=True):
    """A turn as a store encodes it."""

    question: str
    answer: str
    at: datetime


def stored(turn: Turn) -> StoredTurn:
    return StoredTurn(question=turn.question, answer=turn.answer, at=turn.at)


def turn_of(entry: StoredTurn) -> Turn:
    return Turn(question=entry.question, answer=entry.answer, at=entry.at)
