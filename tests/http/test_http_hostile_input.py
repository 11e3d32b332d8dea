"""Hostile input answers a clear 4xx error (a problem; OpenAI's shape under /v1), the same on
every backend: never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.http.conftest import Api

DEEP = 100_000
NESTED = ("[" * DEEP + "]" * DEEP).encode()
NESTED_IN_A_FIELD = b'{"question": "x", "tags": ' + NESTED + b"}"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/chat", NESTED),
        ("POST", "/api/v1/chat", NESTED_IN_A_FIELD),
        ("POST", "/v1/chat/completions", NESTED),
        ("POST", "/api/v1/feedback", NESTED),
        ("PATCH", "/api/v1/docs/d1", NESTED),
        ("POST", "/api/v1/docs", NESTED),
    ],
)
async def test_json_nested_a_hundred_thousand_deep_is_a_4xx(
    api: Api, api_error: Any, method: str, path: str, body: bytes
) -> None:
    response = await api.client.request(
        method, path, content=body,
        headers={**api.auth("admin"), "Content-Type": "application/json"},
    )  # fmt: skip

    assert 400 <= response.status_code < 500, response.text
    api_error(response, response.status_code)


@pytest.mark.parametrize(
    "body",
    [{"question": "Where?", "top_k": "5"}, {"question": "Where?", "stream": "yes"},
     {"question": 42}, {"question": "Where?", "tags": "a,b"}, {"question": "Where?", "top_k": 5.0}],
)  # fmt: skip
async def test_a_value_of_the_wrong_type_is_refused_not_converted(
    api: Api, problem: Any, body: dict[str, Any]
) -> None:
    response = await api.client.post("/api/v1/chat", json=body, headers=api.auth("reader"))

    assert "Expected" in str(problem(response, 422)["errors"])


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
@pytest.mark.parametrize("path", ["/api/v1/chat", "/v1/chat/completions", "/api/v1/feedback"])
async def test_a_json_body_sent_as_another_type_is_a_415(
    api: Api, api_error: Any, content_type: str, path: str
) -> None:
    response = await api.client.post(
        path, content=b'{"question": "Where?"}',
        headers={**api.auth("reader"), "Content-Type": content_type},
    )  # fmt: skip

    assert "application/json" in api_error(response, 415)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/chat", {"question": "Where\u0000?"}),
        ("POST", "/api/v1/chat", {"question": "Where?", "tags": ["a\u0000"]}),
        ("POST", "/api/v1/feedback", {"trace_id": "0" * 32, "rating": "up", "comment": "\u0000"}),
        ("PATCH", "/api/v1/docs/d1", {"name": "a\u0000b"}),
    ],
)
async def test_text_with_a_nul_character_is_a_422_naming_it(
    api: Api, problem: Any, method: str, path: str, body: dict[str, Any]
) -> None:
    response = await api.client.request(method, path, json=body, headers=api.auth("admin"))

    assert "NUL" in problem(response, 422)["detail"]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/docs?q=a%00b", "/api/v1/docs?tags=a%00", "/api/v1/feedback?trace_id=%00",
     "/api/v1/docs/a%00b", "/api/v1/docs/d1/versions/1/file?x=%00"],
)  # fmt: skip
async def test_a_nul_in_a_query_or_path_parameter_is_a_422(
    api: Api, problem: Any, path: str
) -> None:
    response = await api.client.get(path, headers=api.auth("admin"))

    assert "NUL" in problem(response, 422)["detail"]


@pytest.mark.parametrize("path", ["/api/v1/docs", "/api/v1/feedback"])
@pytest.mark.parametrize("query", ["offset=9223372036854775808", "offset=-1", "limit=0",
                                   "limit=201", "offset=1000001"])  # fmt: skip
async def test_out_of_range_paging_is_a_422(api: Api, problem: Any, path: str, query: str) -> None:
    response = await api.client.get(f"{path}?{query}", headers=api.auth("admin"))

    problem(response, 422)
