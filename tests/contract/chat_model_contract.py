"""The behaviour every ChatModel must have: subclass ChatModelContract once per adapter.

A stream is deltas then exactly one Completion, whose text is the deltas joined; `complete`
gives the Completion the stream ends with; `models` lists the default first; and whatever goes
wrong leaves as one of the application's errors, never an SDK's or a bug's.
"""

from __future__ import annotations

import dataclasses

import pytest

from askdocs.application.errors import AppError
from askdocs.application.ports import ChatModel, ChatRequest, Delta, StreamEvent
from askdocs.domain.answers import Completion, Passage
from askdocs.domain.prompts import build_prompt

QUESTION = "What does parking cost?"
PASSAGES = (Passage("c1", "d1", "guide.pdf", 1, 3, "Parking costs forty euros.", 0.9),)


def chat_request(model: str | None = None, *, question: str = QUESTION) -> ChatRequest:
    """The parking question over PASSAGES, with the prompt built as the use case builds it."""
    messages, _ = build_prompt(question, PASSAGES, (), count_tokens=len, budget_tokens=10_000)
    return ChatRequest(question, PASSAGES, (), model, tuple(messages))


async def collect(model: ChatModel, chat: ChatRequest) -> list[StreamEvent]:
    return [event async for event in model.stream(chat)]


@dataclasses.dataclass(frozen=True)
class Trouble:
    """A call set up to go wrong: `request` to `model`.

    It must end in `raises`, one of the application's errors; or, when `raises` is None, in
    an answer (a model that copes with what it was given, as an extractive one does with odd
    passages).
    """

    model: ChatModel
    request: ChatRequest
    raises: type[AppError] | None


class ChatModelContract:
    """Behaviour every ChatModel must have.

    `chat_model` must answer `chat_request()` and each model it offers; `trouble` (usually
    parametrized) sets up one way for a call to go wrong.
    """

    @pytest.fixture
    def chat_model(self) -> ChatModel:
        raise NotImplementedError

    @pytest.fixture
    def trouble(self) -> Trouble:
        raise NotImplementedError

    async def test_a_stream_is_deltas_then_one_completion_of_their_text(
        self, chat_model: ChatModel
    ) -> None:
        *deltas, completion = await collect(chat_model, chat_request())
        assert all(isinstance(event, Delta) for event in deltas)
        assert isinstance(completion, Completion)
        assert completion.text
        assert completion.text == "".join(event.text for event in deltas)

    async def test_complete_gives_the_completion_a_stream_ends_with(
        self, chat_model: ChatModel
    ) -> None:
        whole = await chat_model.complete(chat_request())
        streamed = await collect(chat_model, chat_request())
        assert streamed[-1] == whole

    async def test_a_request_naming_no_model_is_answered_by_the_first_one_offered(
        self, chat_model: ChatModel
    ) -> None:
        assert chat_model.models
        completion = await chat_model.complete(chat_request())
        assert completion.model == chat_model.models[0]

    async def test_each_model_offered_answers_a_request_naming_it(
        self, chat_model: ChatModel
    ) -> None:
        for model in chat_model.models:
            assert (await chat_model.complete(chat_request(model))).model == model

    def test_the_name_is_text_and_takes_sampling_a_bool(self, chat_model: ChatModel) -> None:
        assert isinstance(chat_model.name, str)
        assert chat_model.name
        assert isinstance(chat_model.takes_sampling, bool)

    @pytest.mark.parametrize("streamed", [False, True], ids=["complete", "stream"])
    async def test_trouble_ends_in_the_applications_error_or_an_answer(
        self, trouble: Trouble, streamed: bool
    ) -> None:
        model, chat = trouble.model, trouble.request
        if trouble.raises is not None:
            with pytest.raises(trouble.raises):
                await (collect(model, chat) if streamed else model.complete(chat))
        elif streamed:
            assert isinstance((await collect(model, chat))[-1], Completion)
        else:
            assert isinstance(await model.complete(chat), Completion)
