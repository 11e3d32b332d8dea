"""ConversationStore in process memory."""

from __future__ import annotations

import time
from collections.abc import Callable

from cachetools import TTLCache

from askdocs.domain.conversations import Conversation, Turn


class InMemoryConversationStore:
    """Conversations by session id and owner in process memory; lost when the process ends.

    Bounded, so a stream of one-off sessions cannot grow the process without limit: a session
    expires `ttl_s` after its last turn (each turn renews it), and past `max_sessions` the least
    recently used goes first.
    """

    def __init__(
        self,
        *,
        max_sessions: int = 10_000,
        ttl_s: float,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._conversations: TTLCache[tuple[str, str], Conversation, float] = TTLCache(
            max_sessions, ttl_s, timer
        )

    async def get(self, session_id: str, owner: str) -> Conversation | None:
        return self._conversations.get((owner, session_id))

    async def append(self, session_id: str, owner: str, turn: Turn, *, keep: int) -> None:
        key = (owner, session_id)
        conversation = self._conversations.get(key) or Conversation(session_id, owner)
        self._conversations[key] = conversation.with_turn(turn, keep=keep)

    async def delete(self, session_id: str, owner: str) -> None:
        self._conversations.pop((owner, session_id), None)
