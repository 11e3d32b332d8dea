"""ResetConversation: forget a session's memory."""

from __future__ import annotations

import dataclasses

from askdocs.application.errors import NotFound
from askdocs.application.ports import ConversationStore
from askdocs.domain.principals import Principal


@dataclasses.dataclass(frozen=True, slots=True)
class ResetConversation:
    """Delete the caller's own conversation.

    Raises:
        NotFound: no such session, or it belongs to another principal.
    """

    conversations: ConversationStore

    async def execute(self, session_id: str, principal: Principal) -> None:
        found = await self.conversations.get(session_id)
        if found is None or found.owner != principal.subject:
            raise NotFound(f"session {session_id} not found")
        await self.conversations.delete(session_id)
