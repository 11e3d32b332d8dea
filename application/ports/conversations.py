"""Protocol: ConversationStore, the memory of past turns per session."""

from __future__ import annotations

from typing import Protocol

from askdocs.domain.conversations import Conversation, Turn


class ConversationStore(Protocol):
    """Protocol: conversations by owner and session id.

    A conversation is found by both: two principals naming the same session id have two
    conversations, so no principal can read, join or probe another's, and no check of the
    owner can race an append.

    Raises:
        UpstreamUnavailable, UpstreamTimeout: the store cannot be reached in time.
    """

    async def get(self, session_id: str, owner: str) -> Conversation | None:
        """`owner`'s conversation, or None when it never existed or was reset."""
        ...

    async def append(self, session_id: str, owner: str, turn: Turn, *, keep: int) -> None:
        """Add a turn to `owner`'s conversation, keeping the newest `keep`; creates it."""
        ...

    async def delete(self, session_id: str, owner: str) -> None:
        """Forget `owner`'s conversation."""
        ...
