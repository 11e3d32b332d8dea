"""Keys managed over HTTP by admins: a new key works at once, a revoked one stops."""

from __future__ import annotations

from typing import Any

import pytest

from askdocs.domain.principals import token_digest
from tests.http.conftest import Api


async def create(api: Api, **body: Any) -> Any:
    return await api.client.post("/api/v1/keys", json=body, headers=api.auth("admin"))


async def test_a_created_key_works_at_once_and_a_revoked_one_stops(api: Api, problem) -> None:
    created = await create(api, role="editor", name="build robot",
                           expires_at="2099-01-01T00:00:00Z")  # fmt: skip
    body = created.json()
    headers = {"X-API-Key": body["token"]}

    works = await api.client.get("/api/v1/me", headers=headers)
    revoked = await api.client.delete(f"/api/v1/keys/{body['id']}", headers=api.auth("admin"))
    refused = await api.client.get("/api/v1/me", headers=headers)

    assert created.status_code == 201
    assert (body["role"], body["name"], body["source"]) == ("editor", "build robot", "stored")
    assert body["prefix"] == token_digest(body["token"])[:12]
    assert body["expires_at"].startswith("2099-01-01")
    assert works.json()["role"] == "editor"
    assert revoked.status_code == 204
    problem(refused, 401)


async def test_keys_are_listed_without_their_tokens(api: Api) -> None:
    token = (await create(api, role="reader", name="kiosk")).json()["token"]

    listed = await api.client.get("/api/v1/keys", headers=api.auth("admin"))

    items = listed.json()["items"]
    assert token not in listed.text
    assert "token" not in items[0]
    assert items[0]["name"] == "kiosk"
    assert items[0]["last_used_at"] is None
    settings_keys = [i for i in items if i["source"] == "settings"]
    assert {i["role"] for i in settings_keys} == {"reader", "editor", "admin"}


async def test_a_key_given_in_the_settings_cannot_be_revoked_here(api: Api, problem) -> None:
    listed = (await api.client.get("/api/v1/keys", headers=api.auth("admin"))).json()["items"]
    configured = next(i for i in listed if i["source"] == "settings")

    response = await api.client.delete(
        f"/api/v1/keys/{configured['id']}", headers=api.auth("admin")
    )

    assert "ASKDOCS_AUTH__API_KEYS" in problem(response, 409)["detail"]


@pytest.mark.parametrize("role", ["reader", "editor"])
async def test_only_admins_manage_keys(api: Api, problem, role: str) -> None:
    responses = [
        await api.client.post("/api/v1/keys", json={"role": "admin"}, headers=api.auth(role)),
        await api.client.get("/api/v1/keys", headers=api.auth(role)),
        await api.client.delete("/api/v1/keys/anything", headers=api.auth(role)),
    ]

    for response in responses:
        problem(response, 403)


@pytest.mark.parametrize(
    "body",
    [{"role": "owner"}, {"role": "reader", "name": "x" * 101}, {"role": "reader", "name": "a\nb"},
     {"role": "reader", "expires_at": "2020-01-01T00:00:00Z"},
     {"role": "reader", "expires_at": "2099-01-01T00:00:00"}, {"role": "reader", "extra": 1}],
)  # fmt: skip
async def test_a_bad_key_request_is_a_422(api: Api, problem, body: dict[str, Any]) -> None:
    problem(await create(api, **body), 422)


async def test_revoking_an_unknown_key_is_a_404(api: Api, problem) -> None:
    response = await api.client.delete("/api/v1/keys/nope", headers=api.auth("admin"))

    problem(response, 404)
