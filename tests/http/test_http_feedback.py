"""Feedback on answers: any reader gives it by trace id, admins list it."""

from __future__ import annotations

import pytest


async def test_a_reader_rates_an_answer_and_an_admin_lists_it_newest_first(api, handbook):
    await api.upload_ok(handbook.name, handbook.pdf)
    answer = await api.ask("Where are bicycles stored?")

    up = await api.client.post(
        "/api/v1/feedback",
        json={"trace_id": answer["trace_id"], "rating": "up", "comment": "  Exactly right.  "},
        headers=api.auth("reader"),
    )
    down = await api.client.post(
        "/api/v1/feedback",
        json={"trace_id": "other-1", "rating": "down"},
        headers=api.auth("editor"),
    )
    listed = await api.client.get("/api/v1/feedback", headers=api.auth("admin"))
    only_up = await api.client.get("/api/v1/feedback?rating=up", headers=api.auth("admin"))
    by_trace = await api.client.get(
        f"/api/v1/feedback?trace_id={answer['trace_id']}&limit=1", headers=api.auth("admin")
    )
    past_the_end = await api.client.get("/api/v1/feedback?offset=5", headers=api.auth("admin"))

    assert up.status_code == 201
    assert up.json()["comment"] == "Exactly right."
    assert up.json()["rating"] == "up"
    assert down.status_code == 201
    assert [f["trace_id"] for f in listed.json()["items"]] == ["other-1", answer["trace_id"]]
    assert listed.json()["total"] == 2
    assert [f["rating"] for f in only_up.json()["items"]] == ["up"]
    assert by_trace.json()["total"] == 1
    assert past_the_end.json() == {"items": [], "total": 2, "offset": 5, "limit": 50}


async def test_only_admins_list_feedback_and_a_key_is_needed_to_give_it(api, problem):
    problem(await api.client.get("/api/v1/feedback", headers=api.auth("editor")), 403)
    problem(await api.client.get("/api/v1/feedback", headers=api.auth("reader")), 403)
    problem(await api.client.post("/api/v1/feedback", json={"trace_id": "t", "rating": "up"}), 401)


@pytest.mark.parametrize(
    "body",
    [
        {"trace_id": "t1", "rating": "meh"},
        {"trace_id": "", "rating": "up"},
        {"trace_id": "bad id with spaces", "rating": "up"},
        {"trace_id": "t" * 129, "rating": "up"},
        {"trace_id": "t1", "rating": "up", "comment": "x" * 2001},
        {"trace_id": "t1", "rating": "up", "comment": "bell\x07"},
        {"trace_id": "t1", "rating": "up", "extra": 1},
        {"rating": "up"},
    ],
)
async def test_malformed_feedback_is_a_422_problem_and_nothing_is_kept(api, problem, body):
    problem(await api.client.post("/api/v1/feedback", json=body, headers=api.auth("reader")), 422)

    listed = await api.client.get("/api/v1/feedback", headers=api.auth("admin"))
    assert listed.json()["total"] == 0
