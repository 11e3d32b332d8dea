"""JWT bearer tokens through the app: roles from their scope, problems for bad ones, and API
keys working beside them."""

from __future__ import annotations

import time

import pytest

from tests.support.tokens import AUDIENCE, ISSUER, ROLE_MAP, SECRET, forged, hs256

JWT_SETTINGS = {
    "ASKDOCS_AUTH__JWT__SECRET": SECRET,
    "ASKDOCS_AUTH__JWT__ISSUER": ISSUER,
    "ASKDOCS_AUTH__JWT__AUDIENCE": AUDIENCE,
    "ASKDOCS_AUTH__JWT__ROLE_MAP": ROLE_MAP,
}
READER = "openid askdocs.read"
EDITOR = "askdocs.read askdocs.write"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def jwt_api(start_api):
    return await start_api(JWT_SETTINGS)


async def test_a_reader_token_can_chat(jwt_api) -> None:
    response = await jwt_api.client.post(
        "/api/v1/chat", json={"question": "Where are bicycles stored?"}, headers=bearer(hs256())
    )

    assert response.status_code == 200, response.text
    assert response.json()["degraded"] is False


async def test_a_reader_token_uploading_is_a_403_problem(jwt_api, handbook, problem) -> None:
    response = await jwt_api.client.post(
        "/api/v1/docs",
        files={"file": (handbook.name, handbook.pdf, "application/pdf")},
        headers=bearer(hs256(scope=READER)),
    )

    assert "editor" in problem(response, 403)["detail"]


async def test_an_editor_token_uploads_a_document_authored_by_its_holder(jwt_api, handbook) -> None:
    response = await jwt_api.client.post(
        "/api/v1/docs",
        files={"file": (handbook.name, handbook.pdf, "application/pdf")},
        headers=bearer(hs256(scope=EDITOR, sub="editor-1")),
    )

    assert response.status_code == 202, response.text
    settled = await jwt_api.settled(response.json()["status_url"])
    assert settled["status"] == "ready"
    assert settled["author"] == f"jwt:{ISSUER}#editor-1"


BAD_TOKENS = {
    "expired": lambda: hs256(exp=int(time.time()) - 3600),
    "wrong secret": lambda: hs256("not-the-configured-secret-but-long-enough"),
    "wrong audience": lambda: hs256(aud="billing"),
    "wrong issuer": lambda: hs256(iss="https://elsewhere.example.test"),
    "unsigned": lambda: forged({"alg": "none"}),
    "garbled": lambda: "eyJhbGciOiJIUzI1NiJ9.not-json.sig",
}


@pytest.mark.parametrize("make_token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
async def test_a_bad_token_is_a_401_problem_naming_an_invalid_token(
    jwt_api, problem, make_token
) -> None:
    response = await jwt_api.client.post(
        "/api/v1/chat", json={"question": "Hello?"}, headers=bearer(make_token())
    )

    problem(response, 401)
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


async def test_a_token_granting_no_role_is_a_403_problem_of_insufficient_scope(
    jwt_api, problem
) -> None:
    response = await jwt_api.client.get("/api/v1/docs", headers=bearer(hs256(scope="openid")))

    problem(response, 403)
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]


async def test_api_keys_still_work_beside_tokens(jwt_api, keys) -> None:
    for headers in ({"X-API-Key": keys["reader"]}, bearer(keys["reader"])):
        response = await jwt_api.client.get("/api/v1/me", headers=headers)

        assert response.status_code == 200, response.text
        assert response.json()["subject"].startswith("key:")


async def test_the_caller_is_named_by_issuer_and_subject_never_by_the_token(jwt_api) -> None:
    token = hs256(sub="alice", scope="askdocs.admin askdocs.read")

    response = await jwt_api.client.get("/api/v1/me", headers=bearer(token))

    assert response.json()["subject"] == f"jwt:{ISSUER}#alice"
    assert response.json()["role"] == "admin"
    assert token not in response.text


async def test_a_conversation_belongs_to_the_token_holder_not_to_another(jwt_api) -> None:
    alice = bearer(hs256(sub="alice"))
    asked = await jwt_api.client.post(
        "/api/v1/chat", json={"question": "Where are bicycles stored?"}, headers=alice
    )
    session = asked.json()["session_id"]

    other = await jwt_api.client.delete(
        f"/api/v1/chat/sessions/{session}", headers=bearer(hs256(sub="mallory"))
    )
    own = await jwt_api.client.delete(
        f"/api/v1/chat/sessions/{session}", headers=bearer(hs256(sub="alice"))
    )

    assert (other.status_code, own.status_code) == (404, 204)


async def test_without_jwt_settings_a_token_is_a_401_problem(api, problem) -> None:
    response = await api.client.get("/api/v1/docs", headers=bearer(hs256()))

    assert "JWT" in problem(response, 401)["detail"]
