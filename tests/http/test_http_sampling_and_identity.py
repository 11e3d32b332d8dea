"""Temperature and max tokens reach the providers that sample; a client learns who it is."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.http.conftest import UPLOAD_LIMIT
from tests.support.fake_llm import FakeLLM

PARKING = "Where are bicycles stored?"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeLLM]:
    with FakeLLM.running(api_key="sk-test") as running:
        yield running


@pytest.fixture
async def sampling_api(start_api: Any, fake: FakeLLM, handbook: Any) -> Any:
    fake.reset()
    api = await start_api(
        {
            "ASKDOCS_LLM__PROVIDERS": "local,extractive",
            "ASKDOCS_LLM__LOCAL__KIND": "openai",
            "ASKDOCS_LLM__LOCAL__BASE_URL": fake.openai_base_url,
            "ASKDOCS_LLM__LOCAL__API_KEY": "sk-test",
            "ASKDOCS_LLM__LOCAL__MODELS": "tiny,large",
        }
    )
    await api.upload_ok(handbook.name, handbook.pdf)
    return api


async def test_the_models_say_which_provider_answers_and_whether_they_sample(sampling_api):
    response = await sampling_api.client.get("/v1/models", headers=sampling_api.auth("reader"))

    listed = {m["id"]: (m["owned_by"], m["askdocs"]) for m in response.json()["data"]}
    assert listed == {
        "tiny": ("local", {"provider": "local", "takes_sampling": True}),
        "large": ("local", {"provider": "local", "takes_sampling": True}),
        "extractive": ("extractive", {"provider": "extractive", "takes_sampling": False}),
    }


@pytest.mark.parametrize("stream", [False, True])
async def test_the_chat_api_passes_temperature_and_max_tokens_through(sampling_api, fake, stream):
    response = await sampling_api.chat(
        PARKING, model="large", temperature=0.25, max_tokens=77, stream=stream
    )

    assert response.status_code == 200
    sent = fake.requests[-1].body
    assert (sent["model"], sent["temperature"], sent["max_tokens"]) == ("large", 0.25, 77)


async def test_the_openai_api_passes_temperature_and_max_tokens_through(sampling_api, fake):
    body = {
        "model": "tiny",
        "temperature": 1,
        "max_completion_tokens": 33,
        "messages": [{"role": "user", "content": PARKING}],
    }
    response = await sampling_api.client.post(
        "/v1/chat/completions", json=body, headers=sampling_api.auth("reader")
    )

    assert response.status_code == 200
    sent = fake.requests[-1].body
    assert (sent["temperature"], sent["max_tokens"]) == (1, 33)


@pytest.mark.parametrize(
    "sampling",
    [{"temperature": 2.5}, {"temperature": "hot"}, {"max_tokens": 0}, {"max_tokens": 1.5}],
)
async def test_sampling_out_of_range_or_of_the_wrong_type_is_a_422(api, problem, sampling):
    response = await api.client.post(
        "/api/v1/chat", json={"question": PARKING, **sampling}, headers=api.auth("reader")
    )

    assert next(iter(sampling)) in str(problem(response, 422))


@pytest.mark.parametrize("role", ["reader", "editor", "admin"])
async def test_a_caller_learns_its_role_and_the_upload_limit(api, role):
    response = await api.client.get("/api/v1/me", headers=api.auth(role))

    assert response.status_code == 200
    me = response.json()
    assert me["role"] == role
    assert me["subject"].startswith("key:")
    assert api.keys[role] not in str(me)
    assert me["max_upload_bytes"] == UPLOAD_LIMIT


async def test_who_am_i_needs_a_key(api, problem):
    problem(await api.client.get("/api/v1/me"), 401)
