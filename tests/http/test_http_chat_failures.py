"""Each way answering can fail, over every route that answers: /api/v1/chat whole and as SSE,
/v1/chat/completions whole and streamed. A whole reply and a stream may end differently (text
that went out cannot be taken back), but the two APIs never do, and every question is measured
once in `ask_seconds`, under its outcome."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from dependency_injector import providers

from askdocs.application.answer_memory import MEMORY_NOT_SAVED, MEMORY_UNAVAILABLE
from askdocs.application.answer_outcomes import ANSWERED, CUT_SHORT, DEGRADED, REFUSED
from askdocs.application.errors import UpstreamUnavailable
from askdocs.domain.answers import APOLOGY
from askdocs.entrypoints.container import Container
from tests.http.conftest import HANDBOOK_PAGES, Api, StartApi
from tests.support.chat_routes import (
    EVERY_ROUTE,
    STREAMED,
    WHOLE,
    Route,
    Said,
    ask_seconds_by_outcome,
    chat_streamed,
    chat_whole,
)
from tests.support.fake_llm import BreakMidway, FakeLLM, Hang, HttpError

QUESTIONS = (
    "When does the cafeteria open?",
    "How much do parking permits cost?",
    "When does the library close on Fridays?",
    "Where must bicycles be stored?",
)
"""One per route, so that no route is answered from another's cached answer."""
APOLOGISED = Said(200, APOLOGY, degraded=True)
INTERRUPTED = "the answer could not be completed"


class Broken(RuntimeError):
    """A failure nobody planned for: no port may raise it."""


class Failing:
    """A real adapter with some of its methods failing, as `fail` says, and the rest its own."""

    def __init__(self, inner: Any, fail: Callable[[], Exception], *methods: str) -> None:
        self._inner, self._fail, self._methods = inner, fail, methods

    def __getattr__(self, name: str) -> Any:
        if name not in self._methods:
            return getattr(self._inner, name)

        async def failing(*args: Any, **kwargs: Any) -> Any:
            raise self._fail()

        return failing


def failing(provider: str, fail: Callable[[], Exception], *methods: str) -> Any:
    """A `prepare` hook that makes `methods` of the container's `provider` fail."""

    def prepare(container: Container) -> None:
        real = getattr(container, provider)
        real.override(providers.Object(Failing(real(), fail, *methods)))

    return prepare


async def ask_each(
    api: Api, routes: tuple[Route, ...], questions: tuple[str, ...] = QUESTIONS, **options: Any
) -> list[Said]:
    """Each route asked its own question, in turn."""
    return [await route(api, q, **options) for route, q in zip(routes, questions, strict=False)]


StartWith = Callable[..., Awaitable[Api]]


@pytest.fixture
async def api_with(start_api: StartApi, handbook: Any) -> StartWith:
    """An app with the handbook ingested, started with `prepare` and `settings`."""

    async def start(prepare: Any = None, settings: dict[str, str] | None = None) -> Api:
        api = await start_api(settings, prepare=prepare)
        await api.upload_ok(handbook.name, handbook.pdf)
        return api

    return start


async def test_a_cache_lookup_that_raises_is_the_apology_on_every_route(
    api_with: StartWith,
) -> None:
    api = await api_with(failing("cache", lambda: Broken("lookup"), "lookup"))

    said = await ask_each(api, EVERY_ROUTE)

    assert said == [APOLOGISED] * 4
    assert ask_seconds_by_outcome(api.container.metrics()) == {DEGRADED: 4}


async def test_a_cache_lookup_that_raises_on_a_stream_still_opens_with_its_sources(
    api_with: StartWith,
) -> None:
    api = await api_with(failing("cache", lambda: Broken("lookup"), "lookup"))

    response = await api.chat(QUESTIONS[0], stream=True, session_id="kept")

    assert response.status_code == 200
    assert response.text.startswith("event: meta")
    assert '"session_id":"kept"' in response.text


@pytest.mark.parametrize(
    ("provider", "methods"),
    [("cache", ("put",)), ("conversations", ("append",))],
    ids=["cache store", "conversation write"],
)
async def test_a_store_that_raises_after_the_answer_was_written_is_the_apology_or_cuts_it_short(
    api_with: StartWith, provider: str, methods: tuple[str, ...]
) -> None:
    api = await api_with(failing(provider, lambda: Broken("store"), *methods))

    whole = await ask_each(api, (chat_whole, chat_whole), QUESTIONS[:2])
    streamed = await ask_each(api, (chat_streamed, chat_streamed), QUESTIONS[2:])

    assert whole == [APOLOGISED] * 2
    for said, fact in zip(streamed, HANDBOOK_PAGES[2:], strict=True):
        assert (said.degraded, said.error) == (None, INTERRUPTED)
        assert fact in said.text
    assert ask_seconds_by_outcome(api.container.metrics()) == {DEGRADED: 2, CUT_SHORT: 2}


async def test_a_cache_store_that_raises_on_the_openai_routes_ends_as_on_the_chat_api(
    api_with: StartWith,
) -> None:
    api = await api_with(failing("cache", lambda: Broken("store"), "put"))

    whole = await ask_each(api, WHOLE, QUESTIONS[:2])
    streamed = await ask_each(api, STREAMED, QUESTIONS[2:])

    assert whole == [APOLOGISED] * 2
    assert [(s.degraded, s.error) for s in streamed] == [(None, INTERRUPTED)] * 2
    assert all(fact in s.text for s, fact in zip(streamed, HANDBOOK_PAGES[2:], strict=True))
    assert ask_seconds_by_outcome(api.container.metrics()) == {DEGRADED: 2, CUT_SHORT: 2}


async def test_a_conversation_store_that_cannot_be_read_answers_with_a_warning(
    api_with: StartWith,
) -> None:
    api = await api_with(failing("conversations", lambda: UpstreamUnavailable("down"), "get"))

    said = await ask_each(api, EVERY_ROUTE, session_id="mine")

    assert all(s.status == 200 and s.degraded is False for s in said)
    assert all(fact in s.text for s, fact in zip(said, HANDBOOK_PAGES, strict=True))
    # /v1 keeps no session (the client sends the conversation), so it reads none
    assert [s.warnings for s in said] == [(MEMORY_UNAVAILABLE,), (), (MEMORY_UNAVAILABLE,), ()]
    assert ask_seconds_by_outcome(api.container.metrics()) == {ANSWERED: 4}


async def test_a_conversation_store_that_cannot_be_written_answers_with_a_warning(
    api_with: StartWith,
) -> None:
    api = await api_with(failing("conversations", lambda: UpstreamUnavailable("down"), "append"))

    said = await ask_each(api, EVERY_ROUTE)

    assert all(s.status == 200 and s.degraded is False for s in said)
    assert [s.warnings for s in said] == [(MEMORY_NOT_SAVED,), (), (MEMORY_NOT_SAVED,), ()]
    assert ask_seconds_by_outcome(api.container.metrics()) == {ANSWERED: 4}


async def test_retrieval_that_raises_unexpectedly_is_the_apology_on_every_route(
    api_with: StartWith,
) -> None:
    api = await api_with(failing("retrieve_passages", lambda: Broken("search"), "execute"))

    said = await ask_each(api, EVERY_ROUTE)

    assert said == [APOLOGISED] * 4
    assert ask_seconds_by_outcome(api.container.metrics()) == {DEGRADED: 4}


async def test_retrieval_from_a_database_that_is_down_is_a_503_on_every_route(
    api_with: StartWith,
) -> None:
    down = failing("retrieve_passages", lambda: UpstreamUnavailable("database down"), "execute")
    api = await api_with(down)

    said = await ask_each(api, EVERY_ROUTE)

    assert said == [Said(503, error="database down")] * 4
    assert ask_seconds_by_outcome(api.container.metrics()) == {REFUSED: 4}


@pytest.fixture(scope="module")
def fake_llm() -> Iterator[FakeLLM]:
    with FakeLLM.running() as fake:
        yield fake


@pytest.fixture
def llm(fake_llm: FakeLLM) -> Iterator[dict[str, str]]:
    """Settings for one OpenAI-compatible provider on the fake server, never cooled down (so
    that each route meets the behaviour the test set), with a short chat deadline."""
    yield {
        "ASKDOCS_LLM__PROVIDERS": "fake",
        "ASKDOCS_LLM__COOLDOWN_S": "0",
        "ASKDOCS_LLM__DEADLINE_S": "0.5",
        "ASKDOCS_LLM__TIMEOUT_S": "30",
        "ASKDOCS_LLM__FAKE__KIND": "openai",
        "ASKDOCS_LLM__FAKE__BASE_URL": fake_llm.openai_base_url,
        "ASKDOCS_LLM__FAKE__API_KEY": "sk-test",
        "ASKDOCS_LLM__FAKE__MODELS": "fake-model",
    }
    fake_llm.reset()


@pytest.mark.parametrize(
    "behaviour",
    [HttpError.server_error(), Hang()],
    ids=["model fails before its first token", "model misses the chat's deadline"],
)
async def test_a_model_that_gives_no_text_is_the_apology_on_every_route(
    api_with: StartWith, fake_llm: FakeLLM, llm: dict[str, str], behaviour: Any
) -> None:
    fake_llm.set_default(behaviour)
    api = await api_with(settings=llm)

    said = await ask_each(api, EVERY_ROUTE)

    assert said == [APOLOGISED] * 4
    assert ask_seconds_by_outcome(api.container.metrics()) == {DEGRADED: 4}


async def test_a_model_that_fails_after_some_text_cuts_streams_short_and_apologises_whole(
    api_with: StartWith, fake_llm: FakeLLM, llm: dict[str, str]
) -> None:
    fake_llm.set_default(BreakMidway(after_chunks=2))
    api = await api_with(settings=llm)

    whole = await ask_each(api, WHOLE, QUESTIONS[:2])
    streamed = await ask_each(api, STREAMED, QUESTIONS[2:])

    assert whole == [APOLOGISED] * 2
    assert streamed[0].text == streamed[1].text != ""
    assert streamed[0].error == streamed[1].error
    assert (streamed[0].error or "").startswith("the answer was cut short: ")
    assert all(s.degraded is None for s in streamed)
    assert ask_seconds_by_outcome(api.container.metrics()) == {DEGRADED: 2, CUT_SHORT: 2}
