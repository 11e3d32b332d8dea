"""POST /api/v1/chat and DELETE /api/v1/chat/sessions/{id} over HTTP."""

from __future__ import annotations

import re

import pytest
from dependency_injector import providers

from askdocs.domain.answers import APOLOGY
from tests.support.failing import Unreachable
from tests.support.pdf import make_pdf

SOURCE_KEYS = {
    *("document_id", "document", "version", "page", "chunk_id", "score", "snippet", "tags"),
    *("section", "quote_start", "quote_end"),
}
PARKING = "How much do parking permits cost?"


class ExplodingChatModel:
    """A chat model failing in a way nobody planned for."""

    name = "exploding"

    async def complete(self, request):
        raise RuntimeError(f"the model crashed on {request.question!r}")


async def test_an_answer_quotes_the_fact_and_cites_the_document_and_page(api, handbook):
    accepted = await api.upload_ok(handbook.name, handbook.pdf, tags="hr")

    response = await api.chat(PARKING)

    assert response.status_code == 200
    reply = response.json()
    assert handbook.pages[1] in reply["answer"]
    assert reply["cached"] is False
    assert reply["degraded"] is False
    assert reply["provider"] == "extractive"
    assert reply["session_id"]
    assert re.fullmatch("[0-9a-f]{32}", reply["trace_id"])  # a W3C trace id, tracing off too
    assert reply["trace_id"] != response.headers["x-request-id"]
    source = reply["sources"][0]
    assert set(source) == SOURCE_KEYS
    assert source["document_id"] == accepted["document_id"]
    assert source["document"] == handbook.name
    assert source["version"] == 1
    assert source["page"] == 2
    assert source["tags"] == ["hr"]
    assert handbook.pages[1] in source["snippet"]
    assert source["score"] > 0
    quoted = source["snippet"][source["quote_start"] : source["quote_end"]]
    assert quoted == handbook.pages[1]
    assert reply["answered"] is True


async def test_a_question_nothing_answers_still_has_cached_and_degraded(api):
    reply = await api.ask("What colour is the boardroom carpet?")

    assert reply["sources"] == []
    assert reply["cached"] is False
    assert reply["degraded"] is False
    assert reply["answer"]
    assert reply["answered"] is False


async def test_the_same_question_again_is_answered_from_the_cache(api, handbook):
    await api.upload_ok(handbook.name, handbook.pdf)
    first = await api.ask(PARKING)

    second = await api.ask(PARKING)

    assert first["cached"] is False
    assert second["cached"] is True
    assert second["answer"] == first["answer"]
    assert second["sources"] == first["sources"]


async def test_a_new_version_of_a_document_invalidates_cached_answers(api, handbook):
    accepted = await api.upload_ok(handbook.name, handbook.pdf)
    await api.ask(PARKING)
    assert (await api.ask(PARKING))["cached"] is True
    changed = list(handbook.pages)
    changed[1] = "Parking permits cost fifty euros per month for every employee."
    await api.upload_ok(handbook.name, make_pdf(changed), document_id=accepted["document_id"])

    reply = await api.ask(PARKING)

    assert reply["cached"] is False
    assert changed[1] in reply["answer"]
    assert handbook.pages[1] not in reply["answer"]
    assert reply["sources"][0]["version"] == 2


async def test_chat_tags_restrict_the_documents_answers_come_from(api, handbook):
    await api.upload_ok(handbook.name, handbook.pdf, tags="hr")
    await api.upload_ok(
        "garage.txt", b"Parking permits for visitors cost nothing at all.", tags="visitors"
    )

    reply = await api.ask(PARKING, tags=["visitors"])

    assert {s["document"] for s in reply["sources"]} == {"garage.txt"}
    assert all(s["tags"] == ["visitors"] for s in reply["sources"])


async def test_a_session_remembers_its_turns_until_it_is_reset(api, handbook):
    await api.upload_ok(handbook.name, handbook.pdf)
    first = await api.ask(PARKING, session_id="s-1")
    assert first["session_id"] == "s-1"

    # The remembered turn is part of what an answer depends on, so the same question in the
    # same session is not served from the cache, while a fresh session with no history is.
    in_session = await api.ask(PARKING, session_id="s-1")
    fresh = await api.ask(PARKING)
    reset = await api.client.delete("/api/v1/chat/sessions/s-1", headers=api.auth("reader"))
    after_reset = await api.ask(PARKING, session_id="s-1")

    assert in_session["cached"] is False
    assert fresh["cached"] is True
    assert fresh["session_id"] != "s-1"
    assert reset.status_code == 204
    assert after_reset["cached"] is True


async def test_another_principal_naming_a_session_id_neither_reads_nor_resets_it(api, problem):
    await api.ask("Where are bicycles stored?", session_id="mine")
    unused = await api.client.delete(
        "/api/v1/chat/sessions/never-used", headers=api.auth("other_reader")
    )

    used = await api.chat("Where is the canteen?", role="other_reader", session_id="mine")
    reset = await api.client.delete("/api/v1/chat/sessions/mine", headers=api.auth("other_reader"))
    own_reset = await api.client.delete("/api/v1/chat/sessions/mine", headers=api.auth("reader"))
    again = await api.client.delete("/api/v1/chat/sessions/mine", headers=api.auth("reader"))

    # The other reader's "mine" is a conversation of its own: it starts empty, and resetting
    # it tells nothing about whether anyone else uses that id (the answer is the same).
    assert used.status_code == 200
    assert used.json()["session_id"] == "mine"
    assert reset.status_code == 204
    assert problem(unused, 404)["detail"] == "session never-used not found"
    assert own_reset.status_code == 204
    problem(again, 404)


@pytest.mark.parametrize("session_id", ["", "x" * 129, "a b", "a/b", "\u00e9", "a\tb"])
async def test_a_session_id_outside_the_allowed_form_is_a_422(api, problem, session_id):
    response = await api.chat("Where are bicycles stored?", session_id=session_id)

    assert "session id" in problem(response, 422)["detail"]


@pytest.mark.parametrize(("length", "status"), [(1000, 422), (60_000, 422), (9 * 1024 * 1024, 413)])
async def test_a_long_session_id_is_refused_without_being_stored(api, problem, length, status):
    response = await api.chat("Where are bicycles stored?", session_id="s" * length)

    problem(response, status)
    assert len(api.container.conversations()._conversations) == 0


@pytest.mark.parametrize(
    ("body", "detail_mentions"),
    [
        ({"question": "   "}, "empty"),
        ({"question": "x" * 4001}, "longer"),
        ({"question": "Anything?", "model": "gpt-imaginary"}, "gpt-imaginary"),
        ({"question": "Anything?", "top_k": 0}, "top_k"),
        ({"question": "Anything?", "top_k": 51}, "top_k"),
    ],
    ids=["empty question", "overlong question", "unknown model", "top_k 0", "top_k 51"],
)
async def test_an_unacceptable_chat_request_is_a_422_problem(api, problem, body, detail_mentions):
    response = await api.client.post("/api/v1/chat", json=body, headers=api.auth("reader"))

    assert detail_mentions in problem(response, 422)["detail"]


async def test_an_unknown_body_field_is_a_422_problem(api, problem):
    response = await api.client.post(
        "/api/v1/chat",
        json={"question": "Anything?", "temprature": 0.2},
        headers=api.auth("reader"),
    )

    assert "temprature" in response.text
    assert problem(response, 422)["type"] == "urn:askdocs:problem:invalid-input"


async def test_a_body_that_is_not_json_is_a_400_problem(api, problem):
    response = await api.client.post(
        "/api/v1/chat",
        content=b"{not json",
        headers={**api.auth("reader"), "Content-Type": "application/json"},
    )

    assert "malformed" in problem(response, 400)["detail"]


async def test_a_query_parameter_out_of_range_is_a_422_problem(api, problem):
    response = await api.client.get("/api/v1/docs?limit=0", headers=api.auth("reader"))

    problem(response, 422)


async def test_an_unexpected_failure_inside_chat_is_a_200_apology_with_a_trace_id(
    start_api, handbook
):
    def explode(container):
        container.chat_model.override(providers.Object(ExplodingChatModel()))

    api = await start_api(prepare=explode)
    await api.upload_ok(handbook.name, handbook.pdf)

    caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    response = await api.chat(PARKING, headers={"traceparent": caller})

    assert response.status_code == 200
    reply = response.json()
    assert reply["degraded"] is True
    assert reply["cached"] is False
    assert reply["answer"] == APOLOGY
    assert reply["sources"] == []
    assert reply["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert "crashed" not in response.text


async def test_an_unreachable_memory_answers_with_a_warning_not_an_error(start_api, handbook):
    def memory_down(container):
        container.conversations.override(providers.Object(Unreachable()))

    api = await start_api(prepare=memory_down)
    await api.upload_ok(handbook.name, handbook.pdf)

    reply = await api.ask("When does the cafeteria open?", session_id="mine")

    assert "seven in the morning" in reply["answer"]
    assert len(reply["warnings"]) == 1
    assert "memory is unavailable" in reply["warnings"][0]
    assert reply["degraded"] is False


@pytest.mark.parametrize("session_id", ["a%20b", "x" * 129, "%C3%A9t%C3%A9"])
async def test_resetting_a_session_id_outside_the_allowed_form_is_a_422(api, problem, session_id):
    response = await api.client.delete(
        f"/api/v1/chat/sessions/{session_id}", headers=api.auth("reader")
    )

    problem(response, 422)
