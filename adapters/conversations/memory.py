"""ConversationStore in process memory."""

from __future__ import annotations

import dataclasses

from askdocs.domain.conversations import Conversation, Turn


class InMemoryConversationStore:
    """Conversations by session id in process memory; lost when the process ends."""

    def __init__(self) -> None:
        self._conversations: dict[str, Conversation] = {}

    async def get(self, session_id: str) -> Conversation | None:
        return self._conversations.get(session_id)

    async def append(self, session_id: str, owner: str, turn: Turn, *, keep: int) -> None:
        conversation = self._conversations.get(session_id) or Conversation(session_id, owner)
        if keep > 0:
            conversation = conversation.with_turn(turn, keep=keep)
        else:
            # Conversation.with_turn slices with [-keep:], which keeps everything when keep is 0.
            conversation = dataclasses.replace(conversation, turns=())
        self._conversations[session_id] = conversation

    async def delete(self, session_id: str) -> None:
        self._conversations.pop(session_id, None)
