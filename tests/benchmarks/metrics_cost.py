"""What each metrics backend costs the cached chat path: `nox -s bench -- --only metrics-cost`.

One `askdocs serve` process (pinned to core 0, wrk to core 1) per backend, each on the same
few files of the chat benchmark's corpus, answering the chat benchmark's cached questions:

- `noop`, the reference;
- `prometheus`, one process's registry;
- `prometheus` in multiprocess mode (`PROMETHEUS_MULTIPROC_DIR`: samples in mmapped files);
- `datadog`, DogStatsD lines to a local UDP socket that nobody reads (the kernel drops what
  overflows, as with an agent that falls behind);
- `opentelemetry`, exporting over OTLP/HTTP every 5 s to a local sink that answers 200;
- then metrics off and OpenTelemetry traces to the same sink, for each sampler in `SAMPLED`
  (askdocs's default rate, every trace, one in ten, one in a hundred).

The backends run in turn, `--metrics-rounds` times (3). Printed per backend: the median req/s,
each round's, the median of the server's CPU milliseconds per request (from /proc, over the
measured run only), and both against noop. On a shared machine the server runs of one backend
differ by more than any backend costs, so two in-process figures follow, each backend in a
fresh interpreter: one sample with three tags (best of 5 x 20,000), and the samples a cached
chat records, paced at 1,000 requests a second for 10 s with the backend's own threads running
(DogStatsD's sender; OpenTelemetry's reader exporting every 5 s to the same sink), whose CPU
less the no-op loop's is set against noop's server CPU per request. Paced samples run with
cold caches, as on the server, and cost several times a tight loop's. The spans of a cached
chat are paced the same way, per sampler, against the no-op tracer's.
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx

from tests.benchmarks import run

CORPUS_FILES = 4


class _Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return None


@contextlib.contextmanager
def otlp_sink() -> Iterator[str]:
    """The URL of a local OTLP/HTTP endpoint that takes every export and keeps nothing."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def configurations(
    statsd_port: int, otlp_url: str, multiproc_dir: str
) -> dict[str, dict[str, str]]:
    """Each metrics backend with tracing off, then traces over OTLP with metrics off, recorded
    as `SAMPLED` says."""
    untraced = {"ASKDOCS_TRACING__BACKEND": "noop"}
    traced = {
        "ASKDOCS_METRICS__BACKEND": "noop",
        "ASKDOCS_TRACING__BACKEND": "opentelemetry",
        "OTEL_EXPORTER_OTLP_ENDPOINT": otlp_url,
    }
    return {
        "noop": {**untraced, "ASKDOCS_METRICS__BACKEND": "noop"},
        "prometheus": {**untraced, "ASKDOCS_METRICS__BACKEND": "prometheus"},
        "prometheus, multiprocess": {
            **untraced,
            "ASKDOCS_METRICS__BACKEND": "prometheus",
            "PROMETHEUS_MULTIPROC_DIR": multiproc_dir,
        },
        "datadog (UDP, local)": {
            **untraced,
            "ASKDOCS_METRICS__BACKEND": "datadog",
            "ASKDOCS_METRICS__STATSD_HOST": "127.0.0.1",
            "ASKDOCS_METRICS__STATSD_PORT": str(statsd_port),
        },
        "opentelemetry (OTLP/HTTP, local sink, 5 s)": {
            **untraced,
            "ASKDOCS_METRICS__BACKEND": "opentelemetry",
            "OTEL_EXPORTER_OTLP_ENDPOINT": otlp_url,
            "OTEL_METRIC_EXPORT_INTERVAL": "5000",
        },
        **{
            f"traces: opentelemetry, {share}": {**traced, **sampler}
            for share, sampler in SAMPLED.items()
        },
    }


SAMPLED: dict[str, dict[str, str]] = {
    "at most 10 a second (default)": {},
    "every one": {"OTEL_TRACES_SAMPLER": "parentbased_always_on"},
    **{
        share: {"OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": arg}
        for share, arg in (("one in ten", "0.1"), ("one in a hundred", "0.01"))
    },
}
"""Which traces are recorded: askdocs's default, and the SDK's standard sampler variables."""


def ingest_some(port: int, key: str) -> None:
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"X-API-Key": key}) as client:
        files = [path for path in run.CORPUS if path.is_file()][:CORPUS_FILES]
        for path in files:
            response = client.post("/api/v1/docs", files={"file": (path.name, path.read_bytes())})
            response.raise_for_status()
            status_url = response.json()["status_url"]
            while (status := client.get(status_url).json()["status"]) not in ("ready", "failed"):
                time.sleep(0.05)
            if status == "failed":
                raise RuntimeError(f"{path} failed to ingest")


def measure(label: str, settings: dict[str, str], args: argparse.Namespace) -> dict[str, float]:
    port = run.free_port()
    with tempfile.TemporaryDirectory() as blobs:
        server, key = run.start_server(port, blobs, extra=settings)
        try:
            ingest_some(port, key)
            run.load(port, key, vary=False, seconds=2, clients=args.clients)  # warm-up
            cpu_before = run.process_cpu_s(server.pid)
            figures = run.load(port, key, vary=False, seconds=args.seconds, clients=args.clients)
            cpu_s = run.process_cpu_s(server.pid) - cpu_before
        finally:
            server.terminate()
            server.wait(timeout=30)
    figures["cpu_ms_per_request"] = cpu_s * 1000 / max(figures["requests"], 1)
    run.log(f"{label}: {figures['rps']:.0f} req/s, {figures['cpu_ms_per_request']:.3f} ms CPU")
    return figures


PER_SAMPLE = """
import timeit
from askdocs.adapters.metrics.{module} import {adapter} as Adapter
metrics = {build}
tags = {{"route": "/api/v1/chat", "method": "POST", "status": "200"}}
increment = lambda: metrics.increment("http_requests", tags=tags)
observe = lambda: metrics.observe("http_request_duration_seconds", 0.01, tags=tags)
for call in (increment, observe):
    best = min(timeit.repeat(call, number=20_000, repeat=5)) / 20_000
    print(f"{{best * 1e9:.0f}}")
"""


PACED = """
import time
from askdocs.adapters.metrics.{module} import {adapter} as Adapter
metrics = {build}
route = {{"route": "/api/v1/chat", "method": "POST", "status": "200"}}
answered, hit = {{"outcome": "answered"}}, {{"result": "hit"}}
requests, start, cpu = 0, time.monotonic(), time.process_time()
while time.monotonic() - start < {seconds}:
    for _ in range(10):
        metrics.increment("answer_cache", tags=hit)
        metrics.observe("ask_seconds", 0.0004 + requests * 1e-9, tags=answered)
        metrics.increment("http_requests", tags=route)
        metrics.observe("http_request_duration_seconds", 0.0006 + requests * 1e-9, tags=route)
        requests += 1
    time.sleep(0.01)
print(f"{{(time.process_time() - cpu) * 1e9 / requests:.0f}}")
"""


PACED_TRACES = """
import time
from askdocs.entrypoints.tracing_context import ContextTracer, timing_phases
if {recorded}:
    from askdocs.adapters.tracing.opentelemetry import OpenTelemetryTracer
    from askdocs.adapters.tracing.sampling import traces_sampler
    traced = OpenTelemetryTracer(export_log_interval_s=60, sampler=traces_sampler(10.0))
else:
    from askdocs.adapters.tracing.noop import NoopTracer
    traced = NoopTracer()
tracer = ContextTracer(traced)
request = {{"http.request.method": "POST", "http.route": "/api/v1/chat",
    "url.path": "/api/v1/chat", "url.scheme": "http", "network.protocol.version": "1.1",
    "user_agent.original": "wrk"}}
requests, start, cpu = 0, time.monotonic(), time.process_time()
while time.monotonic() - start < {seconds}:
    for _ in range(10):
        with timing_phases(), tracer.span("POST /api/v1/chat", attributes=request,
                                          kind="server") as span:
            with tracer.span("rate_limit", attributes={{"askdocs.rate_limit.group": "chat"}}):
                pass
            with tracer.span("answer", attributes={{"askdocs.streaming": False}}):
                with tracer.span("answer_cache.lookup") as lookup:
                    lookup.set_attributes({{"askdocs.cache.hit": True}})
            span.set_attributes({{"http.response.status_code": 200}})
        requests += 1
    time.sleep(0.01)
getattr(traced, "shutdown", lambda: None)()  # the queued spans' export is part of the cost
print(f"{{(time.process_time() - cpu) * 1e9 / requests:.0f}}")
"""
"""The spans of a cached chat (request, rate limit, answer, cache lookup) at 1,000 a second,
exported over OTLP/HTTP by the SDK's batch thread."""


def paced_traces(otlp_url: str, seconds: int) -> dict[str, int]:
    """ns of CPU per cached chat's spans: the no-op tracer, then OpenTelemetry at each share."""
    shares = {"noop": {}} | {
        share: {"OTEL_EXPORTER_OTLP_ENDPOINT": otlp_url, **sampler}
        for share, sampler in SAMPLED.items()
    }
    return {
        share: int(
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    PACED_TRACES.format(seconds=seconds, recorded=share != "noop"),
                ],
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()[-1]
        )
        for share, env in shares.items()
    }


def adapters(
    statsd_port: int, multiproc_dir: str, otlp_url: str | None
) -> dict[str, tuple[str, str, str, dict[str, str]]]:
    """Per backend: module, class, constructor, environment. OpenTelemetry exports over
    OTLP/HTTP every 5 s to `otlp_url`, or to an in-memory reader when it is None."""
    return {
        "noop": ("noop", "NoopMetrics", "Adapter()", {}),
        "prometheus": ("prometheus", "PrometheusMetrics", "Adapter()", {}),
        "prometheus, multiprocess": (
            "prometheus",
            "PrometheusMetrics",
            f"Adapter(multiprocess_dir={multiproc_dir!r})",
            {"PROMETHEUS_MULTIPROC_DIR": multiproc_dir},
        ),
        "datadog (UDP, local)": (
            "datadog",
            "DatadogMetrics",
            f"Adapter('127.0.0.1', {statsd_port})",
            {},
        ),
        **(
            {
                "opentelemetry (in-memory reader)": (
                    "opentelemetry",
                    "OpenTelemetryMetrics",
                    "Adapter(__import__('opentelemetry.sdk.metrics.export').sdk.metrics.export"
                    ".InMemoryMetricReader())",
                    {},
                )
            }
            if otlp_url is None
            else {
                "opentelemetry (OTLP/HTTP, local sink, 5 s)": (
                    "opentelemetry",
                    "OpenTelemetryMetrics",
                    "Adapter()",
                    {
                        "OTEL_EXPORTER_OTLP_ENDPOINT": otlp_url,
                        "OTEL_METRIC_EXPORT_INTERVAL": "5000",
                    },
                )
            }
        ),
    }


def in_fresh_interpreters(
    code: str, backends: dict[str, tuple[str, str, str, dict[str, str]]], **fields: object
) -> dict[str, list[str]]:
    """What `code`, formatted for each backend, prints, each in an interpreter of its own
    (multiprocess mode is chosen when prometheus_client is imported)."""
    printed = {}
    for label, (module, adapter, build, env) in backends.items():
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                code.format(module=module, adapter=adapter, build=build, **fields),
            ],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=True,
        )
        printed[label] = done.stdout.split()
    return printed


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--metrics-rounds",
        type=int,
        default=3,
        help="rounds of every backend in --only metrics-cost (the median is printed)",
    )


def main_with(args: argparse.Namespace) -> int:
    if not run.have_wrk():
        return 2
    runs: dict[str, list[dict[str, float]]] = {}
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as statsd,
        otlp_sink() as otlp_url,
        tempfile.TemporaryDirectory(prefix="askdocs-prometheus-") as multiproc_dir,
    ):
        statsd.bind(("127.0.0.1", 0))
        backends = configurations(statsd.getsockname()[1], otlp_url, multiproc_dir)
        with tempfile.TemporaryDirectory(prefix="askdocs-prometheus-") as own_dir:
            samples = in_fresh_interpreters(
                PER_SAMPLE, adapters(statsd.getsockname()[1], own_dir, None)
            )
        with tempfile.TemporaryDirectory(prefix="askdocs-prometheus-") as own_dir:
            paced = in_fresh_interpreters(
                PACED, adapters(statsd.getsockname()[1], own_dir, otlp_url), seconds=10
            )
        traces = paced_traces(otlp_url, seconds=10)
        # Rounds interleave the backends, so a machine that gets busier part-way through
        # weighs on each of them alike rather than on whichever ran then.
        for _ in range(args.metrics_rounds):
            for label, settings in backends.items():
                runs.setdefault(label, []).append(measure(label, settings, args))
    rps = {label: statistics.median(f["rps"] for f in runs[label]) for label in runs}
    cpu = {label: statistics.median(f["cpu_ms_per_request"] for f in runs[label]) for label in runs}
    print(
        f"cached POST /api/v1/chat, {args.clients} clients, {args.seconds} s per run, "
        f"median of {args.metrics_rounds} interleaved rounds"
    )
    print("| metrics backend | req/s | vs noop | req/s of each round | CPU ms/request | vs noop |")
    print("|---|---:|---:|---|---:|---:|")
    for label in runs:
        rounds = ", ".join(f"{f['rps']:.0f}" for f in runs[label])
        print(
            f"| {label} | {rps[label]:.0f} | {(rps[label] / rps['noop'] - 1) * 100:+.1f} % | "
            f"{rounds} | {cpu[label]:.3f} | {(cpu[label] / cpu['noop'] - 1) * 100:+.1f} % |"
        )
    print()
    print("one sample with three tags, in process (best of 5 x 20,000)")
    print("| metrics backend | ns per increment | ns per observe |")
    print("|---|---:|---:|")
    for label, (increment_ns, observe_ns) in samples.items():
        print(f"| {label} | {increment_ns} | {observe_ns} |")
    print()
    print(
        "the samples of a cached chat (2 increments, 2 observations), 1,000 a second for 10 s, "
        "with the backend's threads running; CPU less the no-op loop's, and against noop's "
        "server CPU per request"
    )
    print("| metrics backend | µs CPU per request | vs noop's server CPU |")
    print("|---|---:|---:|")
    loop_ns = int(paced["noop"][0])
    for label, (request_ns,) in paced.items():
        extra_us = (int(request_ns) - loop_ns) / 1000
        share = extra_us / (cpu["noop"] * 1000) * 100
        print(f"| {label} | {extra_us:.1f} | +{share:.1f} % |")
    print()
    print(
        "the spans of a cached chat (4), 1,000 a second for 10 s, exported to the same sink; "
        "CPU less the no-op tracer's, and against noop's server CPU per request"
    )
    print("| traces recorded | µs CPU per request | vs noop's server CPU |")
    print("|---|---:|---:|")
    for label, request_ns in traces.items():
        extra_us = (request_ns - traces["noop"]) / 1000
        share = extra_us / (cpu["noop"] * 1000) * 100
        print(f"| {label} | {extra_us:.1f} | {share:+.1f} % |")
    return 0
