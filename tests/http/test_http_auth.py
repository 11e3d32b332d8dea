"""Who may call what: API keys in X-API-Key or a Bearer token, and the open endpoints."""

from __future__ import annotations

import pytest

import askdocs


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-API-Key": "askd_not-a-key-anyone-was-given"},
        {"Authorization": "Bearer askd_not-a-key-anyone-was-given"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
    ids=["no key", "unknown key", "unknown bearer token", "basic credentials"],
)
async def test_a_request_without_a_valid_key_is_a_401_problem(api, problem, headers):
    for method, path in (("GET", "/api/v1/docs"), ("POST", "/api/v1/chat")):
        response = await api.client.request(
            method, path, headers=headers, json={"question": "Hello?"}
        )

        problem(response, 401)
        assert "WWW-Authenticate" in response.headers


async def test_a_key_in_an_authorization_bearer_header_is_accepted(api, keys):
    response = await api.client.post(
        "/api/v1/chat",
        json={"question": "Where are bicycles stored?"},
        headers={"Authorization": f"Bearer {keys['reader']}"},
    )

    assert response.status_code == 200
    assert response.json()["degraded"] is False


async def test_a_reader_uploading_is_a_403_problem(api, handbook, problem):
    response = await api.upload(handbook.name, handbook.pdf, role="reader")

    body = problem(response, 403)
    assert "editor" in body["detail"]


@pytest.mark.parametrize("path", ["/health/live", "/health/ready", "/schema/openapi.json"])
async def test_health_and_the_schema_need_no_key(api, path):
    response = await api.client.get(path)

    assert response.status_code == 200


async def test_the_health_endpoints_report_ok(api):
    live = await api.client.get("/health/live")
    ready = await api.client.get("/health/ready")

    assert live.json()["status"] == "ok"
    assert ready.json()["status"] == "ok"
    assert ready.json()["checks"]
    assert live.json()["version"] == ready.json()["version"] == askdocs.__version__


async def test_the_openapi_schema_documents_the_api_and_its_key_schemes(api):
    schema = (await api.client.get("/schema/openapi.json")).json()

    assert {"/api/v1/chat", "/api/v1/docs", "/api/v1/rate-limit/status"} <= set(schema["paths"])
    assert {"apiKey", "bearer"} <= set(schema["components"]["securitySchemes"])
