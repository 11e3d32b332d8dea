"""Contract and behaviour of LlamaCppChatModel over a stand-in `Llama` (no package needed).

tests/local/test_llamacpp_model.py runs the real model; here the worker thread, the pool of
loaded models, the queue timeout, the stop between tokens and the error translation are
checked against FakeLlama, whose tokens the test hands out one by one.
"""

from __future__ import annotations

import asyncio
import threading

import pytest

from askdocs.adapters.chat.llamacpp import LlamaCppChatModel
from askdocs.application.errors import UpstreamTimeout, UpstreamUnavailable
from askdocs.application.ports import ChatModel, Delta
from askdocs.domain.answers import Completion
from tests.contract.chat_model_contract import ChatModelContract, Trouble, chat_request, collect
from tests.support.fake_llama import ANSWER, FakeLlama


def llamacpp(llama: FakeLlama, **options: object) -> LlamaCppChatModel:
    return LlamaCppChatModel(
        name="offline",
        load=lambda: llama,
        model="smollm2",
        max_tokens=64,
        **options,  # type: ignore[arg-type]
    )


def missing_file() -> FakeLlama:
    raise ValueError("Model path does not exist: /models/missing.gguf")


class TestLlamaCppChatModel(ChatModelContract):
    @pytest.fixture
    def chat_model(self) -> ChatModel:
        return llamacpp(FakeLlama())

    @pytest.fixture(params=["model file missing", "prompt over the context window"])
    def trouble(self, request: pytest.FixtureRequest) -> Trouble:
        if request.param == "model file missing":
            model = LlamaCppChatModel(name="offline", load=missing_file, model="m", max_tokens=8)
        else:
            model = llamacpp(FakeLlama(context_tokens=10))
        return Trouble(model, chat_request(), UpstreamUnavailable)


async def test_the_answer_streams_token_by_token_with_its_citation_and_usage() -> None:
    *deltas, completion = await collect(llamacpp(FakeLlama()), chat_request())

    assert [d.text for d in deltas if isinstance(d, Delta)] == list(ANSWER)
    assert isinstance(completion, Completion)
    assert (completion.provider, completion.model, completion.cited) == ("offline", "smollm2", (1,))
    assert completion.completion_tokens == len(ANSWER)
    assert completion.prompt_tokens > 0


async def test_the_model_is_loaded_once_for_every_request() -> None:
    loads: list[FakeLlama] = []

    def load() -> FakeLlama:
        loads.append(FakeLlama())
        return loads[-1]

    model = LlamaCppChatModel(name="offline", load=load, model="m", max_tokens=8)
    for _ in range(3):
        await model.complete(chat_request())

    assert len(loads) == 1


async def test_a_caller_asks_for_fewer_tokens_never_more_than_the_cap() -> None:
    llama = FakeLlama()
    model = llamacpp(llama)
    await model.complete(chat_request().__class__(**{**_fields(chat_request()), "max_tokens": 2}))
    await model.complete(chat_request().__class__(**{**_fields(chat_request()), "max_tokens": 999}))

    assert [a["max_tokens"] for a in llama.arguments] == [2, 64]


def _fields(request: object) -> dict[str, object]:
    return {name: getattr(request, name) for name in request.__slots__}  # type: ignore[attr-defined]


async def test_a_reader_that_leaves_stops_the_generation_before_the_next_token() -> None:
    allowance = threading.Semaphore(0)
    llama = FakeLlama(words=["word "] * 1000, allowance=allowance)
    model = LlamaCppChatModel(name="offline", load=lambda: llama, model="m", max_tokens=1000)
    events = model.stream(chat_request())
    allowance.release(3)
    for _ in range(3):
        assert isinstance(await anext(events), Delta)

    await events.aclose()
    allowance.release(1000)  # tokens enough for the whole answer, were it still generating
    assert await asyncio.to_thread(llama.finished.wait, 30)

    assert llama.produced < 10


async def test_a_request_that_waits_past_the_queue_timeout_fails_so_another_provider_answers() -> (
    None
):
    allowance = threading.Semaphore(0)
    llama = FakeLlama(allowance=allowance)
    model = llamacpp(llama, concurrency=1, queue_timeout_s=0.05)
    busy = model.stream(chat_request())
    allowance.release(1)
    await anext(busy)

    with pytest.raises(UpstreamTimeout):
        await model.complete(chat_request())

    allowance.release(100)
    assert isinstance([event async for event in busy][-1], Completion)
    assert isinstance((await collect(model, chat_request()))[-1], Completion)


async def test_with_a_concurrency_of_two_two_generations_run_on_two_loaded_models() -> None:
    loads: list[FakeLlama] = []

    def load() -> FakeLlama:
        loads.append(FakeLlama(allowance=threading.Semaphore(1)))  # one token, then it waits
        return loads[-1]

    model = LlamaCppChatModel(
        name="offline", load=load, model="m", max_tokens=8, concurrency=2, queue_timeout_s=30
    )
    first, second = model.stream(chat_request()), model.stream(chat_request())
    assert isinstance(await anext(first), Delta)
    assert isinstance(await anext(second), Delta)  # while the first is still generating
    for llama in loads:
        assert llama.allowance is not None
        llama.allowance.release(100)
    rest = [event async for event in first] + [event async for event in second]

    assert len(loads) == 2
    assert sum(isinstance(event, Completion) for event in rest) == 2
