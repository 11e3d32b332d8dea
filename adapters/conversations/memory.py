"""ConversationStore in process memory."""

from __future__ import annotations

import time
from collections.abc import Callable

import msgspec
from cachetools import TTLCache

from askdocs.adapters.conversations.stored_turns import StoredTurn, stored, turn_of
from askdocs.domain.conversations import Conversation, Turn

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(list[StoredTurn])


class InMemoryConversationStore:
    """Conversations by session id and owner in process memory; lost when the process ends.

    Bounded, so a stream of one-off sessions cannot grow the process without limit: a session
    expires `ttl_s` after its last turn (each turn renews it), and past `max_sessions` the least
    recently used goes first.

    A session's turns are kept encoded, one bytes object each: the garbage collector never
    walks bytes, and thousands of sessions kept as objects made each of its full collections
    longer, and more frequent, on a server answering one-off questions (ADR 40).
    """

    def __init__(
        self,
        *,
        max_sessions: int = 10_000,
        ttl_s: float,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._conversations: TTLCache[tuple[str, str], bytes, float] = TTLCache(
            max_sessions, ttl_s, timer
        )

    async def get(self, session_id: str, owner: str) -> Conversation | None:
        kept = self._conversations.get((owner, session_id))
        if kept is None:
            return None
        turns = tuple(turn_of(entry) for entry in _decoder.decode(kept))
        return Conversation(session_id, owner, turns)

    async def append(self, session_id: str, owner: str, turn: Turn, *, keep: int) -> None:
        conversation = await self.get(session_id, owner) or Conversation(session_id, owner)
        turns = conversation.with_turn(turn, keep=keep).turns
        self._conversations[owner, session_id] = _encoder.encode([stored(t) for t in turns])

    async def delete(self, session_id: str, owner: str) -> None:
        self._conversations.pop((owner, session_id), None)
