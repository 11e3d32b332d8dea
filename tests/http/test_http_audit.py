"""Every authenticated write is in the audit trail: who, what, when, from where, how it ended."""

from __future__ import annotations

from typing import Any

import pytest

from askdocs.domain.principals import ApiKey, Role, token_digest
from tests.http.conftest import Api


def subject_of(api: Api, role: str) -> str:
    return ApiKey(token_digest(api.keys[role]), Role.READER).principal().subject


async def trail(api: Api, **query: Any) -> dict[str, Any]:
    response = await api.client.get("/api/v1/audit", params=query, headers=api.auth("admin"))
    assert response.status_code == 200, response.text
    return response.json()


async def test_each_kind_of_write_is_recorded_with_its_action_and_target(
    api: Api, handbook: Any
) -> None:
    uploaded = await api.upload_ok(handbook.name, handbook.pdf)
    doc = f"/api/v1/docs/{uploaded['document_id']}"
    editor = api.auth("editor")
    await api.client.patch(doc, json={"tags": ["staff"]}, headers=editor)
    await api.client.delete(doc, headers=editor)
    await api.client.post(f"{doc}/restore", headers=editor)
    key = (await api.client.post("/api/v1/keys", json={"role": "reader"},
                                 headers=api.auth("admin"))).json()  # fmt: skip
    await api.client.delete(f"/api/v1/keys/{key['id']}", headers=api.auth("admin"))
    await api.client.post("/api/v1/feedback", json={"trace_id": "t" * 32, "rating": "up"},
                          headers=api.auth("reader"))  # fmt: skip

    events = (await trail(api))["items"]

    assert [(e["action"], e["outcome"]) for e in reversed(events)] == [
        ("document.upload", "succeeded"), ("document.change", "succeeded"),
        ("document.delete", "succeeded"), ("document.restore", "succeeded"),
        ("key.create", "succeeded"), ("key.revoke", "succeeded"), ("feedback.give", "succeeded"),
    ]  # fmt: skip
    upload = events[-1]
    assert upload["target"] == uploaded["status_url"]
    assert upload["subject"] == subject_of(api, "editor")
    assert (upload["role"], upload["status"], upload["client_ip"]) == ("editor", 202, "127.0.0.1")
    assert upload["request_id"]
    assert events[0]["subject"] == subject_of(api, "reader")
    assert events[1]["target"] == f"/api/v1/keys/{key['id']}"
    assert key["token"] not in str(events)


async def test_refused_writes_are_recorded_and_unauthenticated_ones_are_not(
    api: Api, handbook: Any
) -> None:
    await api.upload(handbook.name, handbook.pdf, role="reader")  # 403
    await api.client.patch("/api/v1/docs/nope", json={"name": "x"}, headers=api.auth("editor"))
    await api.client.post("/api/v1/docs", headers={"X-API-Key": "askd_wrong"})  # 401

    events = (await trail(api))["items"]

    assert [(e["action"], e["outcome"], e["status"]) for e in events] == [
        ("document.change", "refused", 404), ("document.upload", "refused", 403)
    ]  # fmt: skip


async def test_the_trail_is_filtered_and_paged(api: Api) -> None:
    for n in range(3):
        await api.client.post("/api/v1/keys", json={"role": "reader", "name": f"k{n}"},
                              headers=api.auth("admin"))  # fmt: skip
    await api.client.delete("/api/v1/keys/missing", headers=api.auth("admin"))

    created = await trail(api, action="key.create", limit=2, offset=1)
    refused = await trail(api, outcome="refused")
    by_admin = await trail(api, subject=subject_of(api, "admin"))

    assert (len(created["items"]), created["total"]) == (2, 3)
    assert [e["action"] for e in refused["items"]] == ["key.revoke"]
    assert by_admin["total"] == 4


@pytest.mark.parametrize("role", ["reader", "editor"])
async def test_only_admins_read_the_trail(api: Api, problem, role: str) -> None:
    problem(await api.client.get("/api/v1/audit", headers=api.auth(role)), 403)


@pytest.mark.parametrize("query", ["outcome=maybe", "limit=0", "limit=201", "offset=-1"])
async def test_a_bad_trail_query_is_a_422(api: Api, problem, query: str) -> None:
    problem(await api.client.get(f"/api/v1/audit?{query}", headers=api.auth("admin")), 422)


NOT_WRITES = {("POST", "/api/v1/chat"), ("POST", "/v1/chat/completions")}
"""Asking changes no document, key or setting (its conversation is the caller's own)."""


def test_every_write_route_of_the_app_is_audited(api: Api) -> None:
    import re

    from askdocs.entrypoints.http.app import create_app
    from askdocs.entrypoints.http.audit import AUDITED_WRITES

    app = create_app(api.container)
    writes = {
        (method, re.sub(r":\w+}", "}", route.path))
        for route in app.routes
        for method in getattr(route, "methods", ())
        if method in {"POST", "PUT", "PATCH", "DELETE"}
    }

    assert writes - NOT_WRITES == set(AUDITED_WRITES)


async def test_a_write_is_in_the_log_with_its_principal(api: Api, caplog) -> None:
    caplog.set_level("INFO", logger="askdocs.audit")
    await api.client.post("/api/v1/keys", json={"role": "reader"}, headers=api.auth("admin"))

    [line] = [r.getMessage() for r in caplog.records if r.name == "askdocs.audit"]
    assert "action=key.create" in line
    assert f"subject={subject_of(api, 'admin')}" in line
    assert "outcome=succeeded" in line
