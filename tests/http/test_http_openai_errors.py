"""The official OpenAI SDK, pointed at askdocs, reports askdocs' reason for an error: the
OpenAI-compatible routes answer errors in OpenAI's shape, the rest of the API problems."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx2
import openai
import pytest

from askdocs.entrypoints.container import build_container
from askdocs.entrypoints.http.app import create_app
from askdocs.entrypoints.settings import load_settings
from tests.http.conftest import close_backends

QUESTION = [{"role": "user", "content": "Where are bicycles stored?"}]


@pytest.fixture
async def http(environment: Mapping[str, str]) -> AsyncIterator[httpx2.AsyncClient]:
    """The app in process, through the HTTP stack the openai SDK ships (httpx2)."""
    settings = {**environment, "ASKDOCS_RATE_LIMIT__READER__CHAT_PER_WINDOW": "3"}
    container = build_container(load_settings(settings))
    transport = httpx2.ASGITransport(app=create_app(container))
    async with httpx2.AsyncClient(transport=transport, base_url="http://askdocs") as client:
        yield client
    await close_backends(container)


def sdk(http: httpx2.AsyncClient, key: str) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(
        api_key=key, base_url="http://askdocs/v1", http_client=http, max_retries=0
    )


async def test_the_sdks_exception_says_why_a_request_was_refused(http, keys) -> None:
    with pytest.raises(openai.UnprocessableEntityError) as raised:
        await sdk(http, keys["reader"]).chat.completions.create(
            model="gpt-nothing", messages=QUESTION
        )

    error = raised.value
    assert str(error) == (
        "Error code: 422 - model 'gpt-nothing' is not offered; choose one of: extractive"
    )
    assert (error.type, error.code) == ("invalid_request_error", "invalid_input")


async def test_the_sdk_names_the_field_a_body_failed_on(http, keys) -> None:
    messages: Any = [{"role": 7, "content": "Where are bicycles stored?"}]

    with pytest.raises(openai.UnprocessableEntityError) as raised:
        await sdk(http, keys["reader"]).chat.completions.create(
            model="extractive", messages=messages
        )

    assert raised.value.param == "messages[0].role"
    assert "Expected `str`, got `int`" in str(raised.value)


async def test_a_wrong_key_is_the_sdks_authentication_error_with_askdocs_reason(http) -> None:
    with pytest.raises(openai.AuthenticationError) as raised:
        await sdk(http, "askd_not-a-key").models.list()

    assert str(raised.value) == "Error code: 401 - the API key is not valid"
    assert raised.value.code == "invalid_api_key"
    assert raised.value.response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_a_used_up_limit_is_the_sdks_rate_limit_error_with_retry_after(http, keys) -> None:
    client = sdk(http, keys["reader"])
    for _ in range(3):
        await client.chat.completions.create(model="extractive", messages=QUESTION)

    with pytest.raises(openai.RateLimitError) as raised:
        await client.chat.completions.create(model="extractive", messages=QUESTION)

    assert raised.value.code == "rate_limit_exceeded"
    assert int(raised.value.response.headers["Retry-After"]) > 0
    assert str(raised.value).startswith("Error code: 429 - ")


async def test_the_rest_of_the_api_keeps_answering_problems(http) -> None:
    response = await http.get("/api/v1/docs", headers={"X-API-Key": "askd_not-a-key"})

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == "the API key is not valid"
