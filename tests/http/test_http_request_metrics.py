"""Request metrics through the real app: one `http_requests` and one duration sample per
response, labelled by route template, method and status; refusals counted by their group."""

from __future__ import annotations

from typing import Any

from askdocs.adapters.metrics.prometheus import PrometheusMetrics
from tests.contract.test_metrics import PrometheusReadings
from tests.http.conftest import Api

CHAT = {"route": "/api/v1/chat", "method": "POST", "status": "200"}
DOCUMENT = "/api/v1/docs/{document_id}"


def readings(api: Api) -> PrometheusReadings:
    metrics = api.container.metrics()
    assert isinstance(metrics, PrometheusMetrics)
    return PrometheusReadings(metrics)


def durations(api: Api, tags: dict[str, str]) -> float:
    """How many duration samples `tags` has."""
    histogram = readings(api).histogram("http_request_duration_seconds", tags)
    return 0 if histogram is None else histogram[0]


def routes(api: Api) -> set[str]:
    """Every route label of `http_requests` so far."""
    metrics = api.container.metrics()
    assert isinstance(metrics, PrometheusMetrics)
    return {
        sample.labels["route"]
        for family in metrics.registry.collect()
        if family.name == "askdocs_http_requests"
        for sample in family.samples
    }


async def test_a_chat_is_counted_and_timed_under_its_route_template(api: Api) -> None:
    await api.ask("Where are bicycles stored?")
    streamed = await api.chat("Where are bicycles stored?", stream=True)

    assert streamed.status_code == 200
    assert readings(api).counter("http_requests", CHAT) == 2
    assert durations(api, CHAT) == 2


async def test_ids_in_paths_and_unknown_paths_make_no_series_of_their_own(api: Api) -> None:
    for document_id in ("first-id", "second-id"):
        response = await api.client.get(f"/api/v1/docs/{document_id}", headers=api.auth("reader"))
        assert response.status_code == 404
    for path in ("/nothing/here", "/nor/here"):
        assert (await api.client.get(path)).status_code == 404
    assert (await api.client.request("BREW", "/health/live")).status_code == 405

    missing = {"route": DOCUMENT, "method": "GET", "status": "404"}
    assert readings(api).counter("http_requests", missing) == 2
    unknown = {"route": "unmatched", "method": "GET", "status": "404"}
    assert readings(api).counter("http_requests", unknown) == 2
    assert durations(api, unknown) == 2
    odd = {"route": "unmatched", "method": "other", "status": "405"}
    assert readings(api).counter("http_requests", odd) == 1
    assert routes(api) == {DOCUMENT, "unmatched"}


async def test_a_refused_chat_is_a_429_request_and_a_rejection_of_its_group(start_api: Any) -> None:
    api = await start_api({"ASKDOCS_RATE_LIMIT__READER__CHAT_PER_WINDOW": "1"})
    await api.ask("Where are bicycles stored?")

    refused = await api.chat("Where are bicycles stored?")

    assert refused.status_code == 429
    assert readings(api).counter("http_requests", {**CHAT, "status": "429"}) == 1
    assert readings(api).counter("rate_limit_rejections", {"group": "chat"}) == 1


async def test_a_refused_sign_in_is_a_rejection_of_the_sign_in_group(start_api: Any) -> None:
    api = await start_api({"ASKDOCS_RATE_LIMIT__FAILED_SIGN_INS_PER_WINDOW": "1"})
    guessed = await api.client.get("/api/v1/docs", headers={"X-API-Key": "askd_guess1"})

    refused = await api.client.get("/api/v1/docs", headers={"X-API-Key": "askd_guess2"})

    assert (guessed.status_code, refused.status_code) == (401, 429)
    assert readings(api).counter("rate_limit_rejections", {"group": "sign_in"}) == 1
    tags = {"route": "/api/v1/docs", "method": "GET", "status": "429"}
    assert readings(api).counter("http_requests", tags) == 1
