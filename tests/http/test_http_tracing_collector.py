"""A collector that is down or stuck costs chat requests nothing: spans leave in the background.

The app runs with `tracing.backend=opentelemetry` and the real OTLP/HTTP exporter, pointed by
the standard variables at a port nothing listens on, or at a local server that takes the
export and does not answer until the test lets it.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from askdocs.adapters.export_failures import OncePerInterval
from askdocs.adapters.tracing.export_logging import EXPORT_LOGGERS

PARKING = "How much do parking permits cost?"
SAFETY_NET_S = 60  # only so that a regression fails instead of hanging the run


class StuckCollector:
    """An OTLP/HTTP endpoint that receives exports and holds each one until `released` is
    set (at once, when made `released=True`)."""

    def __init__(self, *, released: bool = False) -> None:
        self.received = threading.Event()
        self.released = threading.Event()
        if released:
            self.released.set()
        self.answered = 0
        self.exports: list[ExportTraceServiceRequest] = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                collector.exports.append(ExportTraceServiceRequest.FromString(body))
                collector.received.set()
                collector.released.wait()
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", "0")
                self.end_headers()
                collector.answered += 1

            def log_message(self, *args: object) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1/traces"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> StuckCollector:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.released.set()
        self._server.shutdown()
        self._server.server_close()


def closed_port() -> int:
    """A port that was free a moment ago and that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def exporting(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Settings for the OpenTelemetry tracer; spans exported every 10 ms, exports given 1 s."""
    monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "10")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "1")
    return {"ASKDOCS_TRACING__BACKEND": "opentelemetry"}


async def test_spans_reach_an_otlp_collector_named_by_the_standard_variables(
    start_api, handbook, exporting, monkeypatch
) -> None:
    caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    with StuckCollector(released=True) as collector:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", collector.url)
        monkeypatch.setenv("OTEL_SERVICE_NAME", "askdocs-test")
        api = await start_api(exporting)
        await api.upload_ok(handbook.name, handbook.pdf)

        reply = await api.ask(PARKING, headers={"traceparent": caller})
        await asyncio.to_thread(api.container.tracer().shutdown)  # flushes what is queued

    spans = {
        (span.name, span.trace_id.hex())
        for export in collector.exports
        for resource in export.resource_spans
        for scope in resource.scope_spans
        for span in scope.spans
    }
    assert ("POST /api/v1/chat", reply["trace_id"]) in spans
    assert ("retrieval", reply["trace_id"]) in spans
    services = {
        attribute.value.string_value
        for export in collector.exports
        for resource in export.resource_spans
        for attribute in resource.resource.attributes
        if attribute.key == "service.name"
    }
    assert services == {"askdocs-test"}


async def test_chat_answers_while_the_collector_holds_an_export(
    start_api, handbook, exporting, monkeypatch
) -> None:
    with StuckCollector() as collector:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", collector.url)
        api = await start_api(exporting)
        await api.upload_ok(handbook.name, handbook.pdf)
        async with asyncio.timeout(SAFETY_NET_S):
            await asyncio.to_thread(collector.received.wait)  # the exporter is now stuck

            replies = [await api.chat(PARKING, session_id=f"s{n}") for n in range(20)]

        assert [r.status_code for r in replies] == [200] * 20
        assert not any(r.json()["degraded"] for r in replies)
        assert collector.answered == 0  # every answer went out while the export hung


async def test_a_collector_that_is_down_is_logged_once_per_interval(
    start_api, handbook, exporting, monkeypatch, caplog
) -> None:
    monkeypatch.setenv(
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", f"http://127.0.0.1:{closed_port()}/v1/traces"
    )
    api = await start_api({**exporting, "ASKDOCS_TRACING__EXPORT_LOG_INTERVAL_S": "3600"})
    await api.upload_ok(handbook.name, handbook.pdf)
    tracer = api.container.tracer().traced
    caplog.set_level(logging.WARNING)

    replies = []
    for n in range(5):
        replies.append(await api.chat(PARKING, session_id=f"s{n}"))
        await asyncio.to_thread(tracer.force_flush)  # the export of its spans, which fails

    assert [r.status_code for r in replies] == [200] * 5
    export_failures = [r for r in caplog.records if r.name.startswith("opentelemetry")]
    assert len(export_failures) == 1, [r.getMessage() for r in export_failures]
    assert "export" in export_failures[0].getMessage()  # a retry's or the failure's line
    exporter_log = logging.getLogger(EXPORT_LOGGERS[0])
    (once,) = [f for f in exporter_log.filters if isinstance(f, OncePerInterval)]
    assert once.held_back >= 4  # the other exports failed too, without a line each
