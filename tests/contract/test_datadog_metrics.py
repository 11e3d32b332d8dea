"""Contract: Metrics on DogStatsD, read back by a UDP listener parsing the lines it receives."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from collections.abc import Iterator, Mapping

import pytest

from askdocs.adapters.metrics.datadog import DatadogMetrics
from askdocs.application.ports.observability import Metrics
from tests.contract.test_metrics import Readings, RecordingMetricsContract
from tests.support.dogstatsd import DogStatsdListener, Line


@pytest.fixture
def listener() -> Iterator[DogStatsdListener]:
    with DogStatsdListener.bound() as bound:
        yield bound


@dataclasses.dataclass
class DogStatsdReadings:
    """What reached the listener once `metrics` sent everything it buffered."""

    metrics: DatadogMetrics
    listener: DogStatsdListener

    def lines(self, name: str, kind: str, tags: Mapping[str, str] | None) -> list[Line]:
        received = self.listener.drain(self.metrics)
        wanted = {f"{key}:{value}" for key, value in (tags or {}).items()}
        return [
            line
            for line in received
            if line.name == f"askdocs.{name}" and line.kind == kind and set(line.tags) == wanted
        ]

    def counter(self, name: str, tags: Mapping[str, str] | None = None) -> float | None:
        lines = self.lines(name, "c", tags)
        return sum(line.value for line in lines) if lines else None

    def histogram(
        self, name: str, tags: Mapping[str, str] | None = None
    ) -> tuple[float, float] | None:
        lines = self.lines(name, "d", tags)
        return (len(lines), sum(line.value for line in lines)) if lines else None

    def gauge(self, name: str, tags: Mapping[str, str] | None = None) -> float | None:
        lines = self.lines(name, "g", tags)
        return lines[-1].value if lines else None


class TestDatadogMetrics(RecordingMetricsContract):
    @pytest.fixture
    def metrics(self, listener: DogStatsdListener) -> Iterator[Metrics]:
        adapter = DatadogMetrics("127.0.0.1", listener.port)
        yield adapter
        asyncio.run(adapter.close())

    @pytest.fixture
    def readings(self, metrics: Metrics, listener: DogStatsdListener) -> Readings:
        assert isinstance(metrics, DatadogMetrics)
        return DogStatsdReadings(metrics, listener)

    def test_lines_name_the_series_under_askdocs_with_key_value_tags(
        self, metrics: Metrics, listener: DogStatsdListener
    ) -> None:
        route = {"route": "/api/v1/docs/{document_id}", "method": "GET", "status": "200"}
        metrics.increment("http_requests", tags=route)
        metrics.increment("vector_search_requests_total", tags={"status": "ok"})
        metrics.observe("http_request_duration_seconds", 0.125, tags=route)
        assert isinstance(metrics, DatadogMetrics)
        lines = listener.drain(metrics)
        received = {(line.name, line.kind, line.value, line.tags) for line in lines}
        # Datadog tags keep letters, digits and `_-:./`: the package turns the rest into `_`.
        tags = ("method:GET", "route:/api/v1/docs/_document_id_", "status:200")
        assert ("askdocs.http_requests", "c", 1.0, tags) in received
        assert ("askdocs.vector_search_requests", "c", 1.0, ("status:ok",)) in received
        assert ("askdocs.http_request_duration_seconds", "d", 0.125, tags) in received

    async def test_an_agent_that_is_not_there_loses_samples_and_nothing_else(self) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind(("127.0.0.1", 0))
            closed_port = probe.getsockname()[1]
        metrics = DatadogMetrics("127.0.0.1", closed_port)
        for _ in range(3):  # the second send is the one a refused port fails
            metrics.increment("requests", tags={"route": "chat"})
            metrics.observe("ask_seconds", 0.5)
            metrics.gauge("queue_depth", 2)
            metrics.flush()
        await metrics.close()

    def test_every_value_of_a_distribution_arrives_packed_in_full_datagrams(
        self, listener: DogStatsdListener, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("DD_ENV", "staging")
        metrics = DatadogMetrics("127.0.0.1", listener.port)
        values = [round(0.001 * n, 3) for n in range(1, 2001)]
        try:
            for value in values:
                metrics.observe("ask_seconds", value, tags={"outcome": "answered"})
            metrics.flush()
            datagrams = []
            while not any("ask_seconds" in d and "2.0|" in d for d in datagrams):
                datagrams.append(listener.sock.recv(65_535).decode())
        finally:
            asyncio.run(metrics.close())

        lines = [line for datagram in datagrams for line in datagram.splitlines()]
        samples = [sample for line in lines for sample in Line.parse(line)]
        assert sorted(sample.value for sample in samples) == values
        assert {sample.tags for sample in samples} == {("env:staging", "outcome:answered")}
        assert all(len(datagram.encode()) <= metrics.packet_bytes for datagram in datagrams)
        assert len(lines) < len(values) / 50  # packed: many values a line
