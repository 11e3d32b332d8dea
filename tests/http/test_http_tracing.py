"""Traces of real requests: the app over a real container, spans caught by an in-memory exporter.

The LLM providers are the openai SDK against a local OpenAI-compatible server, so the
`traceparent` they are sent is checked on the wire.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from dependency_injector import providers
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_ON
from opentelemetry.trace import StatusCode, format_span_id, format_trace_id

from askdocs.adapters.tracing.opentelemetry import OpenTelemetryTracer
from askdocs.adapters.tracing.trace_context import TraceContext
from askdocs.application.errors import NotFound
from askdocs.entrypoints.container import Container
from askdocs.entrypoints.tracing_context import ContextTracer
from tests.http.test_http_logging import json_logging
from tests.support.fake_llm import FakeLLM, HttpError

PARKING = "How much do parking permits cost?"
CALLER = TraceContext.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
UPLOADER = TraceContext.parse("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
assert CALLER is not None
assert UPLOADER is not None


@pytest.fixture(scope="module")
def fake_llm() -> Iterator[FakeLLM]:
    with FakeLLM.running() as fake:
        yield fake


@pytest.fixture
def two_providers(fake_llm: FakeLLM) -> Iterator[dict[str, str]]:
    """`first` and `second`, both OpenAI-compatible providers on the fake server."""
    settings = {"ASKDOCS_LLM__PROVIDERS": "first,second"}
    for name in ("FIRST", "SECOND"):
        settings |= {
            f"ASKDOCS_LLM__{name}__KIND": "openai",
            f"ASKDOCS_LLM__{name}__BASE_URL": fake_llm.openai_base_url,
            f"ASKDOCS_LLM__{name}__API_KEY": "sk-test",
            f"ASKDOCS_LLM__{name}__MODELS": "fake-model",
        }
    yield settings
    fake_llm.reset()


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def traced(exporter: InMemorySpanExporter) -> Any:
    """A `prepare` hook giving the app an OpenTelemetry tracer that exports to `exporter`."""

    def prepare(container: Container) -> None:
        tracer = OpenTelemetryTracer(
            export_log_interval_s=60, processor=SimpleSpanProcessor(exporter), sampler=ALWAYS_ON
        )
        container.tracer.override(providers.Object(ContextTracer(tracer)))

    return prepare


def of_trace(spans: Sequence[ReadableSpan], trace_id: str) -> list[ReadableSpan]:
    return [s for s in spans if format_trace_id(s.context.trace_id) == trace_id]


def named(spans: Sequence[ReadableSpan], name: str) -> list[ReadableSpan]:
    return [s for s in spans if s.name == name]


def descends_from(span: ReadableSpan, root: ReadableSpan, spans: Sequence[ReadableSpan]) -> bool:
    by_id = {s.context.span_id: s for s in spans}
    current: ReadableSpan | None = span
    while current is not None and current.parent is not None:
        if current.parent.span_id == root.context.span_id:
            return True
        current = by_id.get(current.parent.span_id)
    return False


async def test_a_chat_is_one_trace_from_the_request_to_each_provider_attempt(
    start_api, handbook, traced, exporter, fake_llm, two_providers
) -> None:
    api = await start_api(two_providers, prepare=traced)
    await api.upload_ok(handbook.name, handbook.pdf)
    fake_llm.script(HttpError.server_error())  # the first provider fails, the second answers

    response = await api.chat(PARKING, headers={"traceparent": CALLER.traceparent})

    assert response.status_code == 200
    reply = response.json()
    assert (reply["provider"], reply["degraded"]) == ("second", False)
    assert reply["trace_id"] == CALLER.trace_id != response.headers["x-request-id"]
    spans = of_trace(exporter.get_finished_spans(), CALLER.trace_id)
    (request,) = named(spans, "POST /api/v1/chat")
    assert format_span_id(request.parent.span_id) == CALLER.span_id  # the caller's span
    assert request.attributes["http.route"] == "/api/v1/chat"
    assert request.attributes["http.response.status_code"] == 200
    assert all(descends_from(s, request, spans) for s in spans if s is not request)
    names = {s.name for s in spans}
    assert {
        "rate_limit",
        "answer_cache.lookup",
        "answer_cache.store",
        "retrieval",
        "vector_index.search",
        "vector_index.vector_leg",
        "vector_index.text_leg",
        "rerank",
    } <= names
    assert any(n.startswith("embeddings ") for n in names)
    failed, answered = sorted(named(spans, "chat fake-model"), key=lambda s: s.start_time)
    assert failed.attributes["gen_ai.provider.name"] == "first"
    assert failed.status.status_code is StatusCode.ERROR
    assert failed.attributes["error.type"] == "UpstreamUnavailable"
    assert [e.name for e in failed.events] == ["exception"]
    assert failed.end_time <= answered.start_time
    assert answered.attributes["gen_ai.provider.name"] == "second"
    assert answered.attributes["gen_ai.operation.name"] == "chat"
    assert answered.attributes["gen_ai.request.model"] == "fake-model"
    assert answered.attributes["gen_ai.usage.output_tokens"] > 0
    assert answered.status.status_code is not StatusCode.ERROR
    # Each attempt's request named that attempt's span as its parent.
    sent = [
        TraceContext.parse(r.headers.get("traceparent"))
        for r in fake_llm.requests
        if r.path.endswith("/chat/completions")
    ]
    assert [(c.trace_id, c.span_id) for c in sent if c] == [
        (CALLER.trace_id, format_span_id(s.context.span_id)) for s in (failed, answered)
    ]


async def test_a_streamed_chat_traces_its_first_token_and_times_what_came_before_it(
    start_api, handbook, traced, exporter, two_providers
) -> None:
    api = await start_api(two_providers, prepare=traced)
    await api.upload_ok(handbook.name, handbook.pdf)

    response = await api.chat(PARKING, stream=True, headers={"traceparent": CALLER.traceparent})

    done = [line for line in response.text.splitlines() if line.startswith("data:")][-1]
    assert json.loads(done.removeprefix("data:"))["trace_id"] == CALLER.trace_id
    (attempt,) = named(of_trace(exporter.get_finished_spans(), CALLER.trace_id), "chat fake-model")
    assert "gen_ai.first_token" in [e.name for e in attempt.events]
    # The headers left before the model wrote: what the stream's start had done is timed.
    timing = response.headers["server-timing"]
    assert re.search(r"\bcache;dur=[\d.]+", timing)
    assert re.search(r"\bretrieval;dur=[\d.]+", timing)
    assert "llm;" not in timing


async def test_a_whole_answer_says_in_server_timing_where_its_time_went(api, handbook) -> None:
    await api.upload_ok(handbook.name, handbook.pdf)

    answered = await api.chat(PARKING)
    cached = await api.chat(PARKING)

    metrics = [
        {part.split(";")[0] for part in r.headers["server-timing"].split(", ")}
        for r in (answered, cached)
    ]
    assert metrics[0] >= {"ratelimit", "cache", "retrieval", "llm", "total"}
    assert metrics[1] == {"ratelimit", "cache", "total"}  # a cached answer asks no one
    total = float(answered.headers["server-timing"].rsplit("total;dur=", 1)[1])
    assert total > 0
    assert "server-timing" not in (await api.client.get("/health/live")).headers


async def test_the_worker_job_links_to_the_upload_that_queued_it(
    start_api, handbook, traced, exporter
) -> None:
    api = await start_api(prepare=traced)

    await api.upload_ok(handbook.name, handbook.pdf, headers={"traceparent": UPLOADER.traceparent})

    spans = exporter.get_finished_spans()
    (upload,) = named(of_trace(spans, UPLOADER.trace_id), "POST /api/v1/docs")
    (job,) = named(spans, "ingest_job")
    assert [
        (format_trace_id(link.context.trace_id), format_span_id(link.context.span_id))
        for link in job.links
    ] == [(UPLOADER.trace_id, format_span_id(upload.context.span_id))]
    assert job.context.trace_id != upload.context.trace_id  # a trace of its own, linked
    stages = of_trace(spans, format_trace_id(job.context.trace_id))
    assert {"parse", "chunk", "embed", "store"} <= {s.name for s in stages}
    assert all(descends_from(s, job, spans) for s in stages if s is not job)


async def test_without_a_collector_trace_ids_are_still_w3c_ones_and_continue_the_caller(
    api, handbook
) -> None:
    await api.upload_ok(handbook.name, handbook.pdf)

    own = await api.ask(PARKING)
    continued = await api.ask(PARKING, headers={"traceparent": CALLER.traceparent})
    malformed = await api.ask(PARKING, headers={"traceparent": "00-zz-not-a-trace-00"})

    assert re.fullmatch("[0-9a-f]{32}", own["trace_id"])
    assert continued["trace_id"] == CALLER.trace_id
    assert re.fullmatch("[0-9a-f]{32}", malformed["trace_id"])
    assert malformed["trace_id"] != CALLER.trace_id


async def test_feedback_names_an_answer_by_its_trace_id(api, handbook) -> None:
    await api.upload_ok(handbook.name, handbook.pdf)
    reply = await api.ask(PARKING)

    given = await api.client.post(
        "/api/v1/feedback",
        json={"trace_id": reply["trace_id"], "rating": "up"},
        headers=api.auth("reader"),
    )
    listed = await api.client.get(
        f"/api/v1/feedback?trace_id={reply['trace_id']}", headers=api.auth("admin")
    )

    assert given.status_code == 201, given.text
    assert [f["trace_id"] for f in listed.json()["items"]] == [reply["trace_id"]]


async def test_every_log_line_of_a_request_carries_its_trace_id(
    start_api, handbook, capsys, fake_llm, two_providers
) -> None:
    api = await start_api(two_providers)
    await api.upload_ok(handbook.name, handbook.pdf)
    fake_llm.script(HttpError.server_error())  # the router logs the failure
    capsys.readouterr()

    with json_logging():
        response = await api.chat(PARKING, headers={"traceparent": CALLER.traceparent})
        logged = capsys.readouterr().err
        refused = await api.client.get(
            "/api/v1/docs",
            headers={"X-API-Key": "askd_not-a-key", "traceparent": UPLOADER.traceparent},
        )
        logged_refusal = capsys.readouterr().err

    assert refused.status_code == 401
    refusal_lines = [json.loads(line) for line in logged_refusal.splitlines() if line.strip()]
    (refusal_access,) = [line for line in refusal_lines if line["event"] == "request"]
    assert refusal_access["trace_id"] == UPLOADER.trace_id  # written after the span ended
    assert response.json()["trace_id"] == CALLER.trace_id
    lines = [json.loads(line) for line in logged.splitlines() if line.strip()]
    # The test's own client logs its request too, outside the app.
    lines = [line for line in lines if "http://testserver" not in line["event"]]
    events = {line["event"] for line in lines}
    assert "request" in events  # the access line
    assert any("LLM provider failed" in event for event in events)  # an application logger's
    assert [line for line in lines if line.get("trace_id") != CALLER.trace_id] == []


class BrokenRepository:
    """Lists with a bug; finds no document."""

    async def list(self, query: Any) -> Any:
        raise RuntimeError("a bug")

    async def get(self, document_id: str) -> Any:
        raise NotFound(f"no document {document_id}")


async def test_a_request_span_has_its_status_and_fails_only_on_a_server_error(
    start_api, traced, exporter
) -> None:
    def broken(container: Container) -> None:
        traced(container)
        container.documents.override(providers.Object(BrokenRepository()))

    api = await start_api(prepare=broken)

    refused = await api.client.get("/api/v1/docs", headers={"X-API-Key": "askd_not-a-key"})
    missing = await api.client.get("/api/v1/docs/nope", headers=api.auth("reader"))
    crashed = await api.client.get("/api/v1/docs", headers=api.auth("reader"))

    assert [r.status_code for r in (refused, missing, crashed)] == [401, 404, 500]
    spans = [s for s in exporter.get_finished_spans() if s.name.startswith("GET ")]
    assert [(s.attributes["http.response.status_code"], s.status.status_code) for s in spans] == [
        (401, StatusCode.UNSET),  # refused by middleware, answered by the exception handler
        (404, StatusCode.UNSET),
        (500, StatusCode.ERROR),
    ]
