"""What each metrics backend costs the cached chat path: `nox -s bench -- --only metrics-cost`.

One `askdocs serve` process (pinned to core 0, wrk to core 1) per backend, each on the same
few files of the chat benchmark's corpus, answering the chat benchmark's cached questions:

- `noop`, first and again last (how far the machine drifted over the run);
- `prometheus`, one process's registry;
- `prometheus` in multiprocess mode (`PROMETHEUS_MULTIPROC_DIR`: samples in mmapped files);
- `datadog`, DogStatsD lines to a local UDP socket that nobody reads (the kernel drops what
  overflows, as with an agent that falls behind);
- `opentelemetry`, exporting over OTLP/HTTP every 5 s to a local sink that answers 200.

Printed per backend: req/s, the server's CPU milliseconds per request (from /proc, over the
measured run only), and both against the first noop run.
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import socket
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
    return {
        "noop": {"ASKDOCS_METRICS__BACKEND": "noop"},
        "prometheus": {"ASKDOCS_METRICS__BACKEND": "prometheus"},
        "prometheus, multiprocess": {
            "ASKDOCS_METRICS__BACKEND": "prometheus",
            "PROMETHEUS_MULTIPROC_DIR": multiproc_dir,
        },
        "datadog (UDP, local)": {
            "ASKDOCS_METRICS__BACKEND": "datadog",
            "ASKDOCS_METRICS__STATSD_HOST": "127.0.0.1",
            "ASKDOCS_METRICS__STATSD_PORT": str(statsd_port),
        },
        "opentelemetry (OTLP/HTTP, local sink, 5 s)": {
            "ASKDOCS_METRICS__BACKEND": "opentelemetry",
            "OTEL_EXPORTER_OTLP_ENDPOINT": otlp_url,
            "OTEL_METRIC_EXPORT_INTERVAL": "5000",
        },
        "noop, again": {"ASKDOCS_METRICS__BACKEND": "noop"},
    }


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


def main_with(args: argparse.Namespace) -> int:
    if not run.have_wrk():
        return 2
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as statsd,
        otlp_sink() as otlp_url,
        tempfile.TemporaryDirectory(prefix="askdocs-prometheus-") as multiproc_dir,
    ):
        statsd.bind(("127.0.0.1", 0))
        runs = {
            label: measure(label, settings, args)
            for label, settings in configurations(
                statsd.getsockname()[1], otlp_url, multiproc_dir
            ).items()
        }
    noop = runs["noop"]
    print(f"cached POST /api/v1/chat, {args.clients} clients, {args.seconds} s per backend")
    print("| metrics backend | req/s | vs noop | server CPU ms/request | vs noop |")
    print("|---|---:|---:|---:|---:|")
    for label, f in runs.items():
        rps_change = (f["rps"] / noop["rps"] - 1) * 100
        cpu_change = (f["cpu_ms_per_request"] / noop["cpu_ms_per_request"] - 1) * 100
        print(
            f"| {label} | {f['rps']:.0f} | {rps_change:+.1f} % | "
            f"{f['cpu_ms_per_request']:.3f} | {cpu_change:+.1f} % |"
        )
    return 0
