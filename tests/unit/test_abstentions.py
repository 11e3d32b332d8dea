"""`answers_declined` counts every reply saying the documents do not answer: declined for
thin evidence or by the model, with no documents at all, streamed or not, cached or not."""

from __future__ import annotations

from askdocs.application.ask_question import AnswerFinished, Question
from askdocs.application.ports import ChatRequest
from askdocs.domain.answers import Completion, declined
from askdocs.domain.principals import Principal
from askdocs.entrypoints.container import Container
from tests.unit.test_ask_question import GUIDE, SOURDOUGH, ask, ingest, use_chat_model

MOTORBIKE = "How do I tune the carburettor of a motorbike?"


class DecliningModel:
    """A model that reads the passages and finds they do not answer."""

    name, models, takes_sampling = "decliner", ("decliner-1",), False

    async def complete(self, request: ChatRequest) -> Completion:
        return declined(request.passages, model="decliner-1", provider=self.name)


def declines(container: Container) -> float:
    counted = container.metrics().registry.get_sample_value("askdocs_answers_declined_total")
    return counted or 0


async def streamed(container: Container, question: Question) -> AnswerFinished:
    events = [e async for e in container.ask_question().stream(question)]
    finished = events[-1]
    assert isinstance(finished, AnswerFinished)
    return finished


async def test_thin_evidence_declines_are_counted_streamed_and_from_the_cache(
    container: Container, editor: Principal
) -> None:
    await ingest(container, editor, GUIDE, "kitchen.pdf")

    first = await ask(container, editor, MOTORBIKE)
    again = await ask(container, editor, MOTORBIKE)
    finished = await streamed(container, Question(MOTORBIKE, editor))

    assert (first.answer.answered, again.answer.cached) == (False, True)
    assert not finished.answer.answered
    assert declines(container) == 3


async def test_no_documents_at_all_is_a_decline(container: Container, editor: Principal) -> None:
    reply = await ask(container, editor, "Is anything here?")

    assert not reply.answer.answered
    assert declines(container) == 1


async def test_a_model_finding_the_passages_do_not_answer_is_a_decline(
    container: Container, editor: Principal
) -> None:
    await ingest(container, editor, GUIDE, "kitchen.pdf")
    use_chat_model(container, DecliningModel())

    reply = await ask(container, editor, SOURDOUGH)

    assert not reply.answer.answered
    assert declines(container) == 1


async def test_an_answer_is_no_decline(container: Container, editor: Principal) -> None:
    await ingest(container, editor, GUIDE, "kitchen.pdf")

    reply = await ask(container, editor, SOURDOUGH)

    assert reply.answer.answered
    assert declines(container) == 0
