"""ChangeDocument through the real container: delete, restore, retag and rename."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import pytest

from askdocs.application.ask_question import Question, Reply
from askdocs.application.change_document import DocumentChange
from askdocs.application.errors import Conflict, InvalidInput, NotFound
from askdocs.application.ingest_document import Upload
from askdocs.application.ports import Clock, DocumentQuery, SearchHit
from askdocs.domain.answers import NO_ANSWER
from askdocs.domain.documents import Document
from askdocs.domain.errors import InvalidTag
from askdocs.domain.principals import Principal
from askdocs.entrypoints.container import Container
from tests.support.pdf import make_pdf

Search = Callable[..., Awaitable[list[SearchHit]]]
MANUAL = [
    "The boiler pressure should read between one and two bar when cold.",
    "Bleed the radiators with a square key when they are cold at the top.",
]
QUESTION = "What should the boiler pressure read?"


class FixedClock(Clock, Protocol):
    def advance(self, seconds: float) -> None: ...


@pytest.fixture
async def manual(container: Container, editor: Principal) -> Document:
    report = await container.ingest_document().execute(
        Upload(make_pdf(MANUAL), "heating.pdf", editor, tags=("home",))
    )
    return report.document


async def ask(container: Container, principal: Principal, text: str = QUESTION) -> Reply:
    return await container.ask_question().execute(Question(text, principal))


async def change(container: Container, document: Document, action: str, **values: Any) -> Document:
    return await container.change_document().execute(document.id, DocumentChange(action, **values))


async def test_a_deleted_document_no_longer_answers(
    container: Container, manual: Document, editor: Principal, search: Search, clock: Clock
) -> None:
    deleted = await change(container, manual, "delete")

    assert deleted.deleted_at == clock.now()
    assert (await container.get_document().execute(manual.id)).deleted_at == clock.now()
    reply = await ask(container, editor)
    assert reply.answer.text == NO_ANSWER
    assert reply.answer.sources == ()
    assert await search("boiler pressure radiators") == []
    listed = await container.list_documents().execute(DocumentQuery())
    assert listed.total == 0
    with_deleted = await container.list_documents().execute(DocumentQuery(include_deleted=True))
    assert [d.id for d in with_deleted.items] == [manual.id]


async def test_a_restored_document_answers_again_without_being_embedded_again(
    container: Container,
    manual: Document,
    editor: Principal,
    search: Search,
    chunks_embedded: Callable[[], float],
) -> None:
    before = await ask(container, editor)
    live_chunks = {hit.chunk.id for hit in await search("boiler radiators")}
    embedded = chunks_embedded()
    await change(container, manual, "delete")

    restored = await change(container, manual, "restore")

    assert not restored.is_deleted
    assert chunks_embedded() == embedded == 2
    assert {hit.chunk.id for hit in await search("boiler radiators")} == live_chunks
    after = await ask(container, editor)
    assert not after.answer.cached, "the delete and the restore each retired the cache"
    assert after.answer.text == before.answer.text
    assert after.answer.sources == before.answer.sources


async def test_retagging_changes_the_tags_in_sources_and_tag_filtered_search(
    container: Container, manual: Document, editor: Principal, search: Search
) -> None:
    retagged = await change(container, manual, "update", tags=(" heating ", "boiler", "heating"))

    assert retagged.tags == ("heating", "boiler")
    assert (await container.get_document().execute(manual.id)).tags == ("heating", "boiler")
    reply = await ask(container, editor)
    assert {s.tags for s in reply.answer.sources} == {("heating", "boiler")}
    assert await search("boiler pressure", tags=("home",)) == []
    assert {hit.liveness.document_id for hit in await search("boiler", tags=("boiler",))} == {
        manual.id
    }


async def test_retagging_makes_no_new_embeddings(
    container: Container, manual: Document, chunks_embedded: Callable[[], float]
) -> None:
    await change(container, manual, "update", tags=("x",))

    assert chunks_embedded() == 2


async def test_renaming_changes_the_name_in_sources(
    container: Container, manual: Document, editor: Principal
) -> None:
    renamed = await change(container, manual, "update", name="  Heating manual  ")

    assert renamed.name == "Heating manual"
    assert renamed.tags == ("home",)
    reply = await ask(container, editor)
    assert {s.document for s in reply.answer.sources} == {"Heating manual"}


async def test_deleting_twice_keeps_the_first_deletion_time_and_the_cache(
    container: Container, manual: Document, clock: FixedClock
) -> None:
    first = await change(container, manual, "delete")
    generation = await container.cache().generation()
    clock.advance(3600)

    second = await change(container, manual, "delete")

    assert second.deleted_at == first.deleted_at
    assert await container.cache().generation() == generation


async def test_an_update_that_changes_nothing_keeps_cached_answers(
    container: Container, manual: Document, editor: Principal
) -> None:
    await ask(container, editor)

    await change(container, manual, "update", tags=("home",))

    assert (await ask(container, editor)).answer.cached


async def test_restoring_a_live_document_is_a_conflict(
    container: Container, manual: Document
) -> None:
    with pytest.raises(Conflict, match=rf"^document {manual.id} is not deleted$"):
        await change(container, manual, "restore")


async def test_updating_a_deleted_document_is_a_conflict(
    container: Container, manual: Document
) -> None:
    await change(container, manual, "delete")

    with pytest.raises(Conflict, match=rf"^document {manual.id} is deleted; restore it first$"):
        await change(container, manual, "update", tags=("new",))

    assert (await container.get_document().execute(manual.id)).tags == ("home",)


async def test_an_unknown_action_is_refused(container: Container, manual: Document) -> None:
    with pytest.raises(InvalidInput):
        await change(container, manual, "purge")

    assert not (await container.get_document().execute(manual.id)).is_deleted


async def test_an_empty_name_is_refused(container: Container, manual: Document) -> None:
    with pytest.raises(InvalidInput):
        await change(container, manual, "update", name="   ")

    assert (await container.get_document().execute(manual.id)).name == "heating.pdf"


async def test_a_malformed_tag_is_refused(container: Container, manual: Document) -> None:
    with pytest.raises(InvalidTag):
        await change(container, manual, "update", tags=("a,b",))

    assert (await container.get_document().execute(manual.id)).tags == ("home",)


async def test_changing_an_unknown_document_is_not_found(container: Container) -> None:
    with pytest.raises(NotFound):
        await container.change_document().execute("missing", DocumentChange("delete"))
