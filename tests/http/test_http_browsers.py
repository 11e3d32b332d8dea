"""Browsers are let in safely: preflights never reach the guards, origins come from settings,
and every response carries the security headers."""

from __future__ import annotations

import pytest

from askdocs.entrypoints.http.app import create_app
from askdocs.entrypoints.settings import SettingsError, load_settings

ALLOWED = "https://chat.example.org"
PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-api-key"}


def concrete_paths(api) -> list[str]:
    """Every route of the app, with an id in place of each path parameter."""
    app = create_app(api.container)
    paths = {route.path for route in app.routes}
    return sorted(
        p.replace("{session_id:str}", "s1").replace("{document_id:str}", "d1")
        .replace("{version:int}", "1").replace("{path:str}", "openapi.json")
        for p in paths
    )  # fmt: skip


async def test_a_preflight_on_every_route_is_no_error_and_allows_no_origin_by_default(api):
    for path in concrete_paths(api):
        response = await api.client.options(path, headers={"Origin": ALLOWED, **PREFLIGHT})

        assert response.status_code < 400, (path, response.status_code, response.text)
        assert "access-control-allow-origin" not in response.headers, path


async def test_a_listed_origin_is_allowed_and_another_is_refused(start_api):
    api = await start_api({"ASKDOCS_CORS__ALLOW_ORIGINS": f"{ALLOWED}, http://localhost:5173"})

    for path in concrete_paths(api):
        allowed = await api.client.options(path, headers={"Origin": ALLOWED, **PREFLIGHT})
        refused = await api.client.options(
            path, headers={"Origin": "https://evil.example", **PREFLIGHT}
        )

        assert allowed.status_code == 204, (path, allowed.text)
        assert allowed.headers["access-control-allow-origin"] == ALLOWED
        assert "POST" in allowed.headers["access-control-allow-methods"]
        assert "x-api-key" in allowed.headers["access-control-allow-headers"]
        assert 400 <= refused.status_code < 500, path
        assert "access-control-allow-origin" not in refused.headers


async def test_an_allowed_origin_reads_an_answer_and_its_request_id(start_api, handbook):
    api = await start_api({"ASKDOCS_CORS__ALLOW_ORIGINS": ALLOWED})
    await api.upload_ok(handbook.name, handbook.pdf)

    response = await api.client.post(
        "/api/v1/chat",
        json={"question": "Where are bicycles stored?"},
        headers={"Origin": ALLOWED, **api.auth("reader")},
    )

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "x-request-id" in response.headers["access-control-expose-headers"]


@pytest.mark.parametrize(
    "origins", ["*", "https://a.example, *", "chat.example.org", "https://a/b"]
)
def test_a_wildcard_or_a_malformed_origin_is_refused_at_start(origins: str) -> None:
    with pytest.raises(SettingsError, match=r"^ASKDOCS_CORS__ALLOW_ORIGINS: "):
        load_settings({"ASKDOCS_CORS__ALLOW_ORIGINS": origins})


async def test_every_response_carries_the_security_headers(api, problem):
    every_route = [await api.client.get(p, headers=api.auth("admin")) for p in concrete_paths(api)]
    responses = [
        *every_route,
        await api.client.get("/health/live"),
        await api.client.get("/schema/openapi.json"),
        await api.client.get("/api/v1/docs", headers=api.auth("reader")),
        await api.client.get("/api/v1/docs"),  # 401
        await api.client.get("/no/such/route"),
        await api.client.get("/v1/models", headers=api.auth("reader")),
    ]

    for response in responses:
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
    api_answers = [r for r in responses if r.url.path.startswith(("/api/", "/v1/"))]
    assert {r.headers["cache-control"] for r in api_answers} == {"no-store"}


async def test_the_api_reference_is_served_without_a_third_party_script(api):
    schema = await api.client.get("/schema/openapi.json")
    viewer = await api.client.get("/schema")

    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "askdocs"
    assert "<script" not in viewer.text


async def test_an_options_answer_allows_every_method_of_its_path(api):
    expected = {
        "/api/v1/docs": "GET, HEAD, OPTIONS, POST",
        "/api/v1/docs/d1": "DELETE, GET, HEAD, OPTIONS, PATCH, PUT",
        "/api/v1/docs/d1/versions/1": "DELETE, GET, HEAD, OPTIONS",
        "/api/v1/feedback": "GET, HEAD, OPTIONS, POST",
        "/api/v1/keys": "GET, HEAD, OPTIONS, POST",
        "/api/v1/chat": "OPTIONS, POST",
    }

    allowed = {path: (await api.client.options(path)).headers["allow"] for path in expected}

    assert allowed == expected
