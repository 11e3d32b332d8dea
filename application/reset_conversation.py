"""ResetConversation: forget a session's memory."""

from __future__ import annotations

import dataclasses

from askdocs.application.errors import NotFound
from askdocs.application.ports import ConversationStore
from askdocs.domain.conversations import checked_session_id
from askdocs.domain.principals import Principal


@dataclasses.dataclass(frozen=True, slots=True)
class ResetConversation:
    """Delete the caller's own conversation.

    Raises:
        InvalidInput: a session id no conversation can have.
        NotFound: the caller has no such session (whether another principal has one by that
            id is neither checked nor told).
    """

    conversations: ConversationStore

    async def execute(self, session_id: str, principal: Principal) -> None:
        session_id = checked_session_id(session_id)
        if await self.conversations.get(session_id, principal.subject) is None:
            raise NotFound(f"session {session_id} not found")
        await self.conversations.delete(session_id, principal.subject)
