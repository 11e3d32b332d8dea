"""ResetConversation through the real container."""

from __future__ import annotations

import pytest

from askdocs.application.ask_question import Question
from askdocs.application.errors import NotFound
from askdocs.domain.principals import Principal
from askdocs.entrypoints.container import Container


async def start_session(container: Container, principal: Principal, *questions: str) -> str:
    session: str | None = None
    for text in questions:
        reply = await container.ask_question().execute(Question(text, principal, session))
        session = reply.session_id
    assert session is not None
    return session


async def test_a_reset_conversation_is_forgotten(container: Container, editor: Principal) -> None:
    session = await start_session(container, editor, "first question", "second question")

    await container.reset_conversation().execute(session, editor)

    assert await container.conversations().get(session, editor.subject) is None


async def test_a_session_asked_in_again_after_a_reset_starts_empty(
    container: Container, editor: Principal
) -> None:
    session = await start_session(container, editor, "first question", "second question")
    await container.reset_conversation().execute(session, editor)

    await container.ask_question().execute(Question("third question", editor, session))

    conversation = await container.conversations().get(session, editor.subject)
    assert conversation is not None
    assert [t.question for t in conversation.turns] == ["third question"]


async def test_resetting_someone_elses_conversation_is_not_found_and_keeps_it(
    container: Container, editor: Principal, reader: Principal
) -> None:
    session = await start_session(container, editor, "first question")

    with pytest.raises(NotFound):
        await container.reset_conversation().execute(session, reader)

    conversation = await container.conversations().get(session, editor.subject)
    assert conversation is not None
    assert [t.question for t in conversation.turns] == ["first question"]


async def test_resetting_an_unknown_session_is_not_found(
    container: Container, editor: Principal
) -> None:
    with pytest.raises(NotFound, match=r"^session never-started not found$"):
        await container.reset_conversation().execute("never-started", editor)
