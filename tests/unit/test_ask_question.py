"""AskQuestion through the real container: answers, the answer cache and session memory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from dependency_injector import providers

from askdocs.application.ask_question import (
    AnswerDelta,
    AnswerFailed,
    AnswerFinished,
    AnswerStarted,
    Question,
    Reply,
)
from askdocs.application.change_document import DocumentChange
from askdocs.application.errors import InvalidInput, UpstreamUnavailable
from askdocs.application.ingest_document import IngestReport, Upload
from askdocs.application.ports import ChatRequest, Clock, Delta, StreamEvent
from askdocs.domain.answers import APOLOGY, NO_ANSWER, NOT_ANSWERED, Completion
from askdocs.domain.errors import InvalidQuestion, InvalidSessionId
from askdocs.domain.principals import Principal, Role
from askdocs.entrypoints.container import Container
from tests.support.pdf import make_pdf

GUIDE = [
    "Cast iron pans must be dried immediately after washing to prevent rust.",
    "Sourdough starter needs feeding with flour and water every day.",
    "Espresso is brewed by forcing hot water through finely ground coffee.",
]
SOURDOUGH = "What does sourdough starter need every day?"


class DownChatModel:
    """A chat model whose provider cannot be reached."""

    name = "down"

    async def complete(self, request: ChatRequest) -> Completion:
        raise UpstreamUnavailable("the model provider refused the connection")


class ScriptedChatModel:
    """A chat model that always answers with the same text and citations."""

    name = "scripted"

    def __init__(self, text: str, cited: tuple[int, ...]) -> None:
        self._text = text
        self._cited = cited

    async def complete(self, request: ChatRequest) -> Completion:
        return Completion(self._text, self._cited, model="scripted-1", provider=self.name)


def use_chat_model(container: Container, model: object | None) -> None:
    if model is None:
        container.chat_model.reset_override()
    else:
        container.chat_model.override(providers.Object(model))
    container.ask_question.reset()  # a singleton built earlier holds the previous model


async def ingest(
    container: Container,
    principal: Principal,
    pages: list[str],
    name: str,
    tags: tuple[str, ...] = (),
) -> IngestReport:
    return await container.ingest_document().execute(
        Upload(make_pdf(pages), name, principal, tags=tags)
    )


async def ask(container: Container, principal: Principal, text: str, **options: Any) -> Reply:
    return await container.ask_question().execute(Question(text, principal, **options))


async def test_an_answer_quotes_the_document_and_cites_the_page_it_came_from(
    container: Container, editor: Principal
) -> None:
    report = await ingest(container, editor, GUIDE, "kitchen.pdf", tags=("cooking",))

    reply = await ask(container, editor, SOURDOUGH)

    answer = reply.answer
    assert "flour and water" in answer.text
    assert answer.text.endswith("[1]")
    assert not answer.cached
    assert not answer.degraded
    assert (answer.model, answer.provider) == ("extractive", "extractive")
    assert [(s.document_id, s.document, s.version, s.page, s.tags) for s in answer.sources] == [
        (report.document.id, "kitchen.pdf", 1, 2, ("cooking",))
    ]
    assert answer.sources[0].text == GUIDE[1]


async def test_a_question_the_documents_do_not_cover_is_declined_without_asking_the_model(
    container: Container, editor: Principal
) -> None:
    await ingest(container, editor, GUIDE, "kitchen.pdf")
    use_chat_model(container, DownChatModel())  # asked, it would degrade the reply

    reply = await ask(container, editor, "How do I tune the carburettor of a motorbike?")
    streamed = [
        e
        async for e in container.ask_question().stream(
            Question("How do I tune the carburettor of a motorbike?", editor)
        )
    ]

    answer = reply.answer
    assert not answer.answered
    assert not answer.degraded
    assert answer.text.startswith(NOT_ANSWERED)
    assert "kitchen.pdf, p. " in answer.text
    assert answer.sources
    finished = streamed[-1]
    assert isinstance(finished, AnswerFinished)
    assert not finished.answer.answered
    assert finished.answer.text.startswith(NOT_ANSWERED)


async def test_a_question_the_documents_cover_is_answered(
    container: Container, editor: Principal
) -> None:
    await ingest(container, editor, GUIDE, "kitchen.pdf")

    reply = await ask(container, editor, "How is espresso brewed?")

    assert reply.answer.answered
    assert "finely ground coffee" in reply.answer.text


async def test_a_question_with_no_documents_gets_the_no_answer_reply(
    container: Container, reader: Principal
) -> None:
    reply = await ask(container, reader, "Is anything here?")

    assert reply.answer.text == NO_ANSWER
    assert reply.answer.sources == ()
    assert not reply.answer.degraded


async def test_the_second_identical_question_is_served_from_the_cache(
    container: Container, editor: Principal
) -> None:
    await ingest(container, editor, GUIDE, "kitchen.pdf")
    first = await ask(container, editor, SOURDOUGH)

    second = await ask(container, editor, SOURDOUGH)
    equivalent = await ask(container, editor, "  what does SOURDOUGH starter need every day?? ")

    assert not first.answer.cached
    assert second.answer.cached
    assert equivalent.answer.cached
    assert (second.answer.text, second.answer.sources) == (first.answer.text, first.answer.sources)
    hits = container.metrics().registry.get_sample_value(
        "askdocs_answer_cache_total", {"result": "hit"}
    )
    assert hits == 2


async def test_ingesting_a_document_invalidates_cached_answers(
    container: Container, editor: Principal
) -> None:
    await ingest(container, editor, GUIDE, "kitchen.pdf")
    await ask(container, editor, SOURDOUGH)

    await ingest(container, editor, ["Bread flour has more protein than cake flour."], "b.pdf")
    after = await ask(container, editor, SOURDOUGH)

    assert not after.answer.cached


async def test_changing_a_document_invalidates_cached_answers(
    container: Container, editor: Principal
) -> None:
    report = await ingest(container, editor, GUIDE, "kitchen.pdf")
    await ask(container, editor, SOURDOUGH)
    assert (await ask(container, editor, SOURDOUGH)).answer.cached

    await container.change_document().execute(
        report.document.id, DocumentChange("update", tags=("baking",))
    )
    after = await ask(container, editor, SOURDOUGH)

    assert not after.answer.cached
    assert after.answer.sources[0].tags == ("baking",)


async def test_an_unreachable_model_gives_an_apology_that_is_neither_cached_nor_remembered(
    container: Container, editor: Principal
) -> None:
    await ingest(container, editor, GUIDE, "kitchen.pdf")
    use_chat_model(container, DownChatModel())

    degraded = await ask(container, editor, SOURDOUGH)

    assert degraded.answer.text == APOLOGY
    assert degraded.answer.degraded
    assert degraded.answer.sources == ()
    assert await container.conversations().get(degraded.session_id, editor.subject) is None

    use_chat_model(container, None)
    recovered = await ask(container, editor, SOURDOUGH)
    assert not recovered.answer.cached
    assert not recovered.answer.degraded
    assert "flour and water" in recovered.answer.text


async def test_an_apology_in_a_session_leaves_its_earlier_turns_as_they_were(
    container: Container, editor: Principal
) -> None:
    await ingest(container, editor, GUIDE, "kitchen.pdf")
    first = await ask(container, editor, SOURDOUGH)
    use_chat_model(container, DownChatModel())

    await ask(container, editor, "How is espresso brewed?", session_id=first.session_id)

    conversation = await container.conversations().get(first.session_id, editor.subject)
    assert conversation is not None
    assert [t.question for t in conversation.turns] == [SOURDOUGH]


async def test_two_questions_in_one_session_are_both_remembered_in_order(
    container: Container, editor: Principal, clock: Clock
) -> None:
    await ingest(container, editor, GUIDE, "kitchen.pdf")

    first = await ask(container, editor, f"  {SOURDOUGH}  ")
    second = await ask(container, editor, "How is espresso brewed?", session_id=first.session_id)

    assert second.session_id == first.session_id
    conversation = await container.conversations().get(first.session_id, editor.subject)
    assert conversation is not None
    assert conversation.owner == editor.subject
    assert [(t.question, t.answer, t.at) for t in conversation.turns] == [
        (SOURDOUGH, first.answer.text, clock.now()),
        ("How is espresso brewed?", second.answer.text, clock.now()),
    ]


async def test_each_question_without_a_session_starts_a_new_one(
    container: Container, editor: Principal
) -> None:
    first = await ask(container, editor, SOURDOUGH)
    second = await ask(container, editor, SOURDOUGH)

    assert first.session_id != second.session_id


async def test_a_session_id_chosen_by_the_client_is_kept(
    container: Container, editor: Principal
) -> None:
    reply = await ask(container, editor, SOURDOUGH, session_id="my-session")

    assert reply.session_id == "my-session"
    conversation = await container.conversations().get("my-session", editor.subject)
    assert conversation is not None
    assert conversation.owner == editor.subject


async def test_another_principal_naming_my_session_id_gets_a_conversation_of_its_own(
    container: Container, editor: Principal, reader: Principal
) -> None:
    mine = await ask(container, editor, SOURDOUGH)

    theirs = await ask(container, reader, "How is espresso brewed?", session_id=mine.session_id)

    conversations = container.conversations()
    kept = await conversations.get(mine.session_id, editor.subject)
    started = await conversations.get(mine.session_id, reader.subject)
    assert theirs.session_id == mine.session_id
    assert kept is not None
    assert started is not None
    assert [t.question for t in kept.turns] == [SOURDOUGH]
    assert [t.question for t in started.turns] == ["How is espresso brewed?"]


@pytest.mark.parametrize(
    "session_id", ["", "x" * 129, "a b", "a\nb", "a/b", "a:b", "\u00e9t\u00e9", "s\x00"]
)
async def test_a_session_id_no_conversation_can_have_is_refused(
    container: Container, reader: Principal, session_id: str
) -> None:
    with pytest.raises(InvalidSessionId):
        await ask(container, reader, SOURDOUGH, session_id=session_id)


@pytest.mark.settings(conversations__max_turns=2)
async def test_a_session_remembers_only_its_newest_turns(
    container: Container, editor: Principal
) -> None:
    session = (await ask(container, editor, "first question")).session_id
    await ask(container, editor, "second question", session_id=session)
    await ask(container, editor, "third question", session_id=session)

    conversation = await container.conversations().get(session, editor.subject)
    assert conversation is not None
    assert [t.question for t in conversation.turns] == ["second question", "third question"]


async def test_tag_filters_limit_answers_to_documents_with_every_tag(
    container: Container, editor: Principal
) -> None:
    await ingest(container, editor, ["Holidays: staff get 25 days of leave."], "hr.pdf", ("hr",))
    await ingest(container, editor, ["Holidays: contractors get no paid leave."], "c.pdf", ("ops",))

    reply = await ask(container, editor, "How many days of leave?", tags=(" hr ",))

    assert [s.document for s in reply.answer.sources] == ["hr.pdf"]
    assert "25 days" in reply.answer.text


async def test_markers_the_model_invents_are_dropped_and_the_rest_renumbered(
    container: Container, editor: Principal
) -> None:
    await ingest(container, editor, GUIDE, "kitchen.pdf")
    use_chat_model(container, ScriptedChatModel("Feed it [2]. Dry pans [9].", cited=(2, 9)))

    reply = await ask(container, editor, "sourdough starter feeding cast iron rust", top_k=2)

    assert reply.answer.text == "Feed it [1]. Dry pans."
    assert len(reply.answer.sources) == 1
    assert (reply.answer.model, reply.answer.provider) == ("scripted-1", "scripted")


@pytest.mark.parametrize("text", ["", "   \n\t "])
async def test_an_empty_question_is_refused(
    container: Container, reader: Principal, text: str
) -> None:
    with pytest.raises(InvalidQuestion):
        await ask(container, reader, text)


async def test_a_model_that_is_not_offered_is_refused(
    container: Container, reader: Principal
) -> None:
    with pytest.raises(InvalidInput, match="extractive"):
        await ask(container, reader, SOURDOUGH, model="gpt-5")


async def test_the_offered_model_may_be_named_explicitly(
    container: Container, reader: Principal
) -> None:
    reply = await ask(container, reader, SOURDOUGH, model="extractive")

    assert reply.answer.model == "extractive"


@pytest.mark.parametrize("top_k", [0, -1, 51])
async def test_top_k_outside_one_to_fifty_is_refused(
    container: Container, reader: Principal, top_k: int
) -> None:
    with pytest.raises(InvalidInput):
        await ask(container, reader, SOURDOUGH, top_k=top_k)


@pytest.mark.parametrize(
    "sampling", [{"temperature": -0.1}, {"temperature": 2.01}, {"max_tokens": 0},
                 {"max_tokens": 32_769}]
)  # fmt: skip
async def test_temperature_or_max_tokens_out_of_range_are_refused(
    container: Container, reader: Principal, sampling: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInput, match=next(iter(sampling))):
        await ask(container, reader, SOURDOUGH, **sampling)


class RecordingChatModel(ScriptedChatModel):
    """A scripted chat model that keeps every request it was given."""

    takes_sampling = True

    def __init__(self) -> None:
        super().__init__("Feed it daily [1].", (1,))
        self.requests: list[ChatRequest] = []

    async def complete(self, request: ChatRequest) -> Completion:
        self.requests.append(request)
        return await super().complete(request)


async def test_temperature_and_max_tokens_reach_the_model_and_key_the_cache(
    container: Container, editor: Principal
) -> None:
    model = RecordingChatModel()
    use_chat_model(container, model)
    await ingest(container, editor, GUIDE, "kitchen.pdf")

    warm = await ask(container, editor, SOURDOUGH, temperature=0.7, max_tokens=200)
    again = await ask(container, editor, SOURDOUGH, temperature=0.7, max_tokens=200)
    cooler = await ask(container, editor, SOURDOUGH, temperature=0.0, max_tokens=200)
    plain = await ask(container, editor, SOURDOUGH)

    assert [(r.temperature, r.max_tokens) for r in model.requests] == [
        (0.7, 200), (0.0, 200), (None, None)
    ]  # fmt: skip
    assert (warm.answer.cached, again.answer.cached) == (False, True)
    assert not cooler.answer.cached
    assert not plain.answer.cached


@pytest.mark.parametrize("top_k", [1, 50])
async def test_top_k_at_the_bounds_is_accepted(
    container: Container, editor: Principal, top_k: int
) -> None:
    await ingest(container, editor, GUIDE, "kitchen.pdf")

    reply = await ask(container, editor, SOURDOUGH, top_k=top_k)

    assert "flour and water" in reply.answer.text


async def test_a_reader_may_ask_about_documents_an_editor_uploaded(
    container: Container, editor: Principal
) -> None:
    await ingest(container, editor, GUIDE, "kitchen.pdf")
    someone = Principal(subject="key:abc", role=Role.READER)

    reply = await ask(container, someone, "How is espresso brewed?")

    assert "finely ground coffee" in reply.answer.text


class MidwayFailingChatModel:
    """A streaming model that writes some text, then loses its provider."""

    name, models = "midway", ("midway-1",)

    async def complete(self, request: ChatRequest) -> Completion:
        raise UpstreamUnavailable("gone")

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        yield Delta("Sourdough starter needs")
        raise UpstreamUnavailable("the provider dropped the connection")


async def test_a_stream_cut_short_is_neither_cached_nor_remembered(
    container: Container, editor: Principal, reader: Principal
) -> None:
    await ingest(container, editor, GUIDE, "kitchen.pdf")
    use_chat_model(container, MidwayFailingChatModel())
    ask = container.ask_question()

    events = [event async for event in ask.stream(Question(SOURDOUGH, reader, session_id="s1"))]

    assert isinstance(events[0], AnswerStarted)
    assert events[1] == AnswerDelta("Sourdough starter needs")
    assert isinstance(events[-1], AnswerFailed)
    assert await container.conversations().get("s1", reader.subject) is None
    use_chat_model(container, None)
    replay = await container.ask_question().execute(Question(SOURDOUGH, reader))
    assert replay.answer.cached is False


async def test_a_client_leaving_mid_stream_stores_nothing(
    container: Container, editor: Principal, reader: Principal
) -> None:
    await ingest(container, editor, GUIDE, "kitchen.pdf")
    stream = container.ask_question().stream(Question(SOURDOUGH, reader, session_id="s2"))
    assert isinstance(await anext(stream), AnswerStarted)
    assert isinstance(await anext(stream), AnswerDelta)
    await stream.aclose()  # type: ignore[attr-defined]

    assert await container.conversations().get("s2", reader.subject) is None
    replay = await container.ask_question().execute(Question(SOURDOUGH, reader))
    assert replay.answer.cached is False
