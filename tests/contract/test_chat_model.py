"""ChatModel contract, run against the extractive answerer (LLM adapters subclass it later)."""

from __future__ import annotations

import pytest

from askdocs.adapters.chat.extractive import ExtractiveChatModel
from askdocs.application.ports import ChatModel, ChatRequest
from askdocs.domain.answers import NO_ANSWER, Passage


def passage(text: str, n: int = 1, page: int | None = 1) -> Passage:
    return Passage(
        chunk_id=f"c{n}",
        document_id="d1",
        document="guide.pdf",
        version=1,
        page=page,
        text=text,
        score=1.0 / n,
    )


LIGHTHOUSE = passage(
    "The lighthouse keeper lives on Skerry island.\nHe rows to the mainland every Tuesday "
    "for bread. The lamp was converted to electricity in 1951.",
    n=1,
)
KETTLE = passage("The kettle boils water in three minutes. It has a blue handle.", n=2, page=4)


class ChatModelContract:
    """What every ChatModel does with passages it is given."""

    @pytest.fixture
    def model(self) -> ChatModel:
        raise NotImplementedError

    async def test_an_answer_cites_only_passages_it_was_given(self, model: ChatModel) -> None:
        request = ChatRequest(
            question="How long does the kettle take?", passages=(LIGHTHOUSE, KETTLE)
        )
        completion = await model.complete(request)
        assert completion.text
        assert set(completion.cited) <= {1, 2}
        assert completion.provider == model.name

    async def test_the_relevant_passage_is_cited(self, model: ChatModel) -> None:
        request = ChatRequest(
            question="How long does the kettle take to boil water?", passages=(LIGHTHOUSE, KETTLE)
        )
        completion = await model.complete(request)
        assert 2 in completion.cited


class TestExtractiveChatModel(ChatModelContract):
    @pytest.fixture
    def model(self) -> ChatModel:
        return ExtractiveChatModel()

    async def test_it_quotes_the_sentence_that_answers(self, model: ChatModel) -> None:
        request = ChatRequest(
            question="When does the keeper row to the mainland?", passages=(KETTLE, LIGHTHOUSE)
        )
        completion = await model.complete(request)
        assert "He rows to the mainland every Tuesday for bread. [2]" in completion.text
        assert completion.cited[0] == 2

    async def test_word_forms_match_through_light_stemming(self, model: ChatModel) -> None:
        request = ChatRequest(question="boiling kettles", passages=(LIGHTHOUSE, KETTLE))
        completion = await model.complete(request)
        assert completion.text.startswith("The kettle boils water in three minutes.")

    async def test_no_shared_words_means_no_answer_and_no_citation(self, model: ChatModel) -> None:
        request = ChatRequest(question="quantum chromodynamics", passages=(LIGHTHOUSE, KETTLE))
        completion = await model.complete(request)
        assert completion.text == NO_ANSWER
        assert completion.cited == ()

    async def test_sentences_repeated_by_overlapping_chunks_are_said_once(
        self, model: ChatModel
    ) -> None:
        whole = "Acronym elements give users a terse idea of the document contents."
        cut = passage("Acronym elements give users a terse idea of the docu", n=1)
        full = passage(f"{whole} Nothing else here.", n=2)
        completion = await model.complete(
            ChatRequest(question="What do acronym elements give users?", passages=(cut, full))
        )
        assert completion.text.count("Acronym elements give users") == 1
        assert whole in completion.text

    async def test_bullets_split_sentences(self, model: ChatModel) -> None:
        bullets = passage(
            "\u2022 alias elements name another type.\n\u2022 icon elements specify the icon "
            "used for this type."
        )
        completion = await model.complete(
            ChatRequest(question="What do icon elements specify?", passages=(bullets,))
        )
        assert completion.text.startswith("icon elements specify the icon used for this type.")
        assert "alias" not in completion.text
