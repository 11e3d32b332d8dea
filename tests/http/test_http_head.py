"""HEAD is answered wherever GET is: the same status and headers, no body; the same key is
needed; a path without GET still refuses it."""

from __future__ import annotations

import pytest

from tests.http.conftest import Api

GET_ROUTES = [
    ("/health/live", None),
    ("/health/ready", None),
    ("/", None),
    ("/schema/openapi.json", None),
    ("/api/v1/docs", "reader"),
    ("/api/v1/rate-limit/status", "reader"),
    ("/v1/models", "reader"),
    ("/api/v1/keys", "admin"),
]


@pytest.mark.parametrize(("path", "role"), GET_ROUTES)
async def test_head_answers_what_get_does_without_the_body(api: Api, path: str, role) -> None:
    headers = api.auth(role) if role else {}
    got = await api.client.get(path, headers=headers)

    head = await api.client.head(path, headers=headers)

    assert got.status_code == head.status_code == 200, head.text
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-length"] == str(len(got.content))


async def test_head_needs_the_key_get_needs(api: Api) -> None:
    without_key = await api.client.head("/api/v1/docs")
    reader_on_admin_route = await api.client.head("/api/v1/keys", headers=api.auth("reader"))

    assert (without_key.status_code, without_key.content) == (401, b"")
    assert without_key.headers["www-authenticate"].startswith("Bearer")
    assert reader_on_admin_route.status_code == 403


async def test_head_on_a_path_without_get_is_a_405_that_lists_its_methods(api: Api) -> None:
    response = await api.client.head("/api/v1/chat", headers=api.auth("reader"))

    assert response.status_code == 405
    assert response.headers["allow"] == "OPTIONS, POST"


async def test_a_405_on_a_get_route_lists_head_too(api: Api) -> None:
    response = await api.client.delete("/v1/models", headers=api.auth("reader"))

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, OPTIONS"
