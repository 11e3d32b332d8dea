"""Protocol: ConversationStore, the memory of past turns per session."""

from __future__ import annotations

from typing import Protocol

from askdocs.domain.conversations import Conversation, Turn


class ConversationStore(Protocol):
    """Protocol: conversations by session id.

    Raises:
        UpstreamUnavailable, UpstreamTimeout: the store cannot be reached in time.
    """

    async def get(self, session_id: str) -> Conversation | None:
        """The conversation, or None when it never existed or was reset."""
        ...

    async def append(self, session_id: str, owner: str, turn: Turn, *, keep: int) -> None:
        """Add a turn, keeping the newest `keep`; creates the conversation for `owner`."""
        ...

    async def delete(self, session_id: str) -> None:
        """Forget the conversation."""
        ...
