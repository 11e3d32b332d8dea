"""What a question gets when the shared stores (conversations, counters) are unreachable."""

from __future__ import annotations

from typing import Any

import pytest
from dependency_injector import providers

from askdocs.application.ask_question import MEMORY_NOT_SAVED, MEMORY_UNAVAILABLE, Question
from askdocs.application.errors import UpstreamUnavailable
from askdocs.application.ingest_document import Upload
from askdocs.domain.principals import Principal
from askdocs.entrypoints.container import Container
from askdocs.entrypoints.wiring import CHAT
from tests.support.failing import Unreachable
from tests.support.pdf import make_pdf

FACT = "The ferry to the island leaves every hour from pier four."


class ReadOnlyConversations:
    """Reads work, writes fail: the store went down between the two."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def get(self, session_id: str) -> Any:
        return await self.inner.get(session_id)

    async def append(self, *args: Any, **kwargs: Any) -> None:
        raise UpstreamUnavailable("append: connection refused")

    async def delete(self, session_id: str) -> None:
        await self.inner.delete(session_id)


async def ingest(container: Container, editor: Principal) -> None:
    upload = Upload(data=make_pdf([FACT]), filename="ferry.pdf", principal=editor)
    await container.ingest_document().execute(upload)


async def test_an_unreachable_conversation_store_still_answers_with_a_warning(
    container: Container, editor: Principal, reader: Principal
) -> None:
    await ingest(container, editor)
    container.conversations.override(providers.Object(Unreachable()))

    reply = await container.ask_question().execute(
        Question(text="When does the ferry leave?", principal=reader, session_id="s-1")
    )

    assert FACT in reply.answer.text
    assert reply.answer.warnings == (MEMORY_UNAVAILABLE,)
    assert reply.session_id == "s-1"
    assert not reply.answer.degraded


async def test_a_turn_that_cannot_be_saved_is_answered_and_says_so(
    container: Container, editor: Principal, reader: Principal
) -> None:
    await ingest(container, editor)
    store = container.conversations()
    container.conversations.override(providers.Object(ReadOnlyConversations(store)))

    reply = await container.ask_question().execute(
        Question(text="When does the ferry leave?", principal=reader)
    )

    assert FACT in reply.answer.text
    assert reply.answer.warnings == (MEMORY_NOT_SAVED,)
    assert await store.get(reply.session_id, reader.subject) is None


async def test_unreachable_counters_admit_requests_when_failing_open(
    container: Container, reader: Principal
) -> None:
    container.rate_limiter.override(providers.Object(Unreachable()))

    decision = await container.enforce_rate_limit().execute(CHAT, reader, "10.0.0.1")

    assert decision is None


@pytest.mark.settings(rate_limit__fail_open="false")
async def test_unreachable_counters_refuse_requests_when_failing_closed(
    container: Container, reader: Principal
) -> None:
    container.rate_limiter.override(providers.Object(Unreachable()))

    with pytest.raises(UpstreamUnavailable):
        await container.enforce_rate_limit().execute(CHAT, reader, "10.0.0.1")
