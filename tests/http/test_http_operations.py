"""Request ids, metrics and the errors nobody planned for."""

from __future__ import annotations

import asyncio
import re

import pytest
from dependency_injector import providers

from askdocs.application.errors import UpstreamUnavailable

GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")


class ExplodingRepository:
    """A document repository failing with an error no adapter should let out."""

    async def list(self, query):
        raise RuntimeError("connection string postgres://askdocs:s3cret@db/askdocs refused")


class UnreachableEmbedder:
    """An embedding backend that is down."""

    model_id = "unreachable"
    dim = 384

    async def embed_documents(self, texts):
        raise UpstreamUnavailable("the embedding service refused the connection")

    async def embed_query(self, text):
        raise UpstreamUnavailable("the embedding service refused the connection")


async def test_a_given_request_id_is_echoed_on_successes_and_errors(api, handbook):
    sent = {"X-Request-ID": "req-42.a_b"}

    success = await api.chat("Where are bicycles stored?", headers=sent)
    unauthenticated = await api.client.get("/api/v1/docs", headers=sent)
    unknown_route = await api.client.get("/no/such/route", headers=sent)
    invalid = await api.chat(" ", headers=sent)
    health = await api.client.get("/health/live", headers=sent)

    for response, status in (
        (success, 200),
        (unauthenticated, 401),
        (unknown_route, 404),
        (invalid, 422),
        (health, 200),
    ):
        assert response.status_code == status
        assert response.headers["X-Request-ID"] == "req-42.a_b"


async def test_a_request_id_is_generated_when_none_or_a_malformed_one_is_given(api, problem):
    success = await api.client.get("/health/live")
    unauthenticated = await api.client.get("/api/v1/docs")
    unknown_route = await api.client.get("/no/such/route", headers=api.auth("reader"))
    malformed = await api.client.get("/health/live", headers={"X-Request-ID": "two words\t!"})

    problem(unauthenticated, 401)
    problem(unknown_route, 404)
    ids = [r.headers["X-Request-ID"] for r in (success, unauthenticated, unknown_route, malformed)]
    assert all(GENERATED_ID.match(i) for i in ids)
    assert len(set(ids)) == 4


async def test_an_unknown_route_and_a_wrong_method_are_problems(api, problem):
    unknown = await api.client.get("/api/v1/nothing-here", headers=api.auth("reader"))
    wrong_method = await api.client.put("/health/live")

    problem(unknown, 404)
    problem(wrong_method, 405)


async def test_metrics_are_prometheus_text_with_askdocs_metrics_after_a_chat(api, handbook):
    await api.upload_ok(handbook.name, handbook.pdf)
    await api.ask("How much do parking permits cost?")
    await api.ask("How much do parking permits cost?")

    response = await api.client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'askdocs_answer_cache_total{result="miss"} 1.0' in text
    assert 'askdocs_answer_cache_total{result="hit"} 1.0' in text
    assert 'askdocs_ask_seconds_count{outcome="answered"} 1.0' in text
    assert 'askdocs_ask_seconds_count{outcome="cached"} 1.0' in text
    assert 'askdocs_ingest_outcomes_total{media_type="application/pdf",outcome="ready"} 1.0' in text


async def test_metrics_are_a_404_problem_when_prometheus_is_not_selected(start_api, problem):
    api = await start_api({"ASKDOCS_METRICS__BACKEND": "noop"})

    response = await api.client.get("/metrics")

    problem(response, 404)


async def test_an_unexpected_failure_outside_chat_is_a_500_problem_without_internals(
    start_api, problem
):
    def explode(container):
        container.documents.override(providers.Object(ExplodingRepository()))

    api = await start_api(prepare=explode)

    response = await api.client.get("/api/v1/docs", headers=api.auth("reader"))

    body = problem(response, 500)
    assert "s3cret" not in response.text
    assert "postgres" not in response.text
    assert "RuntimeError" not in response.text
    assert body["detail"] == "askdocs failed to handle this request; it has been logged."
    assert GENERATED_ID.match(response.headers["X-Request-ID"])


async def test_an_embedder_that_is_down_leaves_the_version_queued_to_retry(start_api, handbook):
    def unplug(container):
        container.embedder.override(providers.Object(UnreachableEmbedder()))

    api = await start_api(prepare=unplug)

    response = await api.upload(handbook.name, handbook.pdf)

    assert response.status_code == 202
    status_url = response.json()["status_url"]
    for _ in range(500):
        version = (await api.client.get(status_url, headers=api.auth("reader"))).json()
        if version["attempts"] == 1 and version["status"] == "queued":
            break
        await asyncio.sleep(0.01)
    assert (version["status"], version["attempts"]) == ("queued", 1)
    assert "refused the connection" in version["error"]
    assert "retrying in" in version["error"]


@pytest.mark.parametrize("path", ["/api/v1/docs", "/api/v1/rate-limit/status"])
async def test_reads_are_not_rate_limited(api, path):
    response = await api.client.get(path, headers=api.auth("reader"))

    assert response.status_code == 200
    assert "RateLimit-Limit" not in response.headers
