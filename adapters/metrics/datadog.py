"""Metrics sent to a DogStatsD agent over UDP, addressed and formatted by the `datadog` package."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Hashable, Iterator, Mapping

from datadog.dogstatsd.base import UDP_OPTIMAL_PAYLOAD_LENGTH, UDS_OPTIMAL_PAYLOAD_LENGTH, DogStatsd

log = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^a-zA-Z0-9_.]")


class _Line:
    """One series' DogStatsD line around its values: `askdocs.<name>:` and `|<type>|#tags`."""

    __slots__ = ("head", "tail")

    def __init__(self, head: str, tail: str) -> None:
        self.head = head
        self.tail = tail


class DatadogMetrics:
    """DogStatsD lines `askdocs.<name>:<value>|<type>|#key:value,...`, sent over UDP.

    Counters are `c` (by their amount), histograms `d`: distributions, which the Datadog
    backend aggregates across every host and process, so a p99 covers the whole deployment
    (a `h` histogram is summarised per agent, and per-agent percentiles cannot be combined).
    Gauges are `g`. A name given with `_total` loses it (the shared series names counters
    without it) and characters other than `[a-zA-Z0-9_.]` become `_`.

    A sample is one dictionary update under a lock; nothing is formatted or sent on the
    caller's path. Per series and flush: counters are summed and gauges keep their latest
    value (one line each); a distribution keeps every value and sends them packed on one line,
    `name:v1:v2:...|d` (DogStatsD protocol 1.1, agents 6.25 / 7.25 and later), so the agent
    computes percentiles from all of them. Lines go out in datagrams of up to the package's
    payload size for the transport (1,432 bytes over UDP, 8,192 over a Unix socket) from a
    thread every `flush_interval_s`; the agent aggregates in 10 s buckets, so a second's delay
    changes nothing there. UDP never blocks on a peer: an agent that is down loses the samples
    and nothing else. The package resolves the address (`DD_DOGSTATSD_URL`, `DD_AGENT_HOST`,
    ...), owns the socket and formats each series' line once (tag normalisation, constant
    tags from `DD_ENV`, `DD_SERVICE`, `DATADOG_TAGS`, origin detection); its own buffering,
    aggregation, flush thread and telemetry are off.

    Args:
        host: the agent's host; empty lets the package read `DD_AGENT_HOST` or
            `DD_DOGSTATSD_URL`, else localhost.
        port: the agent's UDP port; 0 lets the package read `DD_DOGSTATSD_PORT`, else 8125.
        namespace: prefix of every name.
        flush_interval_s: how often what was recorded is sent.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        namespace: str = "askdocs",
        flush_interval_s: float = 1.0,
    ) -> None:
        self.statsd = DogStatsd(
            host=host or None,
            port=port or None,
            namespace=namespace,
            disable_telemetry=True,
            disable_buffering=True,
            disable_aggregation=True,
        )
        self.packet_bytes = (
            UDS_OPTIMAL_PAYLOAD_LENGTH if self.statsd.socket_path else UDP_OPTIMAL_PAYLOAD_LENGTH
        )
        self._lines: dict[Hashable, _Line] = {}
        self._lock = threading.Lock()
        self._counts: dict[_Line, float] = {}
        self._gauges: dict[_Line, float] = {}
        self._distributions: dict[_Line, list[float]] = {}
        self._send_lock = threading.Lock()
        self._stopped = threading.Event()
        self._sender = threading.Thread(
            target=self._send_every, args=(flush_interval_s,), name="dogstatsd-sender", daemon=True
        )
        self._sender.start()

    def increment(
        self, name: str, *, amount: float = 1, tags: Mapping[str, str] | None = None
    ) -> None:
        try:
            line = self._line("c", name, tags)
            with self._lock:
                self._counts[line] = self._counts.get(line, 0) + amount
        except Exception:  # recording a sample never fails a request
            log.debug("dogstatsd sample dropped", exc_info=True)

    def observe(self, name: str, value: float, *, tags: Mapping[str, str] | None = None) -> None:
        try:
            line = self._line("d", name, tags)
            with self._lock:
                values = self._distributions.get(line)
                if values is None:
                    self._distributions[line] = [value]
                else:
                    values.append(value)
        except Exception:  # recording a sample never fails a request
            log.debug("dogstatsd sample dropped", exc_info=True)

    def gauge(self, name: str, value: float, *, tags: Mapping[str, str] | None = None) -> None:
        try:
            line = self._line("g", name, tags)
            with self._lock:
                self._gauges[line] = value
        except Exception:  # recording a sample never fails a request
            log.debug("dogstatsd sample dropped", exc_info=True)

    def flush(self) -> None:
        """Send what was recorded until now."""
        with self._send_lock:
            with self._lock:
                counts, self._counts = self._counts, {}
                gauges, self._gauges = self._gauges, {}
                distributions, self._distributions = self._distributions, {}
            for packet in self._packets(counts, gauges, distributions):
                self._send(packet)

    async def close(self) -> None:
        """Stop the sending thread, send what is left and close the socket."""
        self._stopped.set()
        try:
            self.flush()
            self.statsd.close_socket()
        except Exception:  # an agent gone at shutdown loses the last samples
            log.debug("dogstatsd close failed", exc_info=True)

    def _send_every(self, interval_s: float) -> None:
        while not self._stopped.wait(interval_s):
            try:
                self.flush()
            except Exception:  # the next flush tries again with what is new
                log.debug("dogstatsd flush failed", exc_info=True)

    def _line(self, kind: str, name: str, tags: Mapping[str, str] | None) -> _Line:
        """The line of a series, formatted once per (kind, name, tags as given)."""
        key = (kind, name, tuple(tags.items()) if tags else ())
        line = self._lines.get(key)
        if line is None:
            metric = _UNSAFE.sub("_", name.removesuffix("_total") if kind == "c" else name)
            tag_list = [f"{tag}:{value}" for tag, value in sorted((tags or {}).items())]
            # The package's own formatting of a line with an empty value: `head:` + `|d|#...`.
            text = self.statsd._serialize_metric(metric, kind, "", tag_list)
            head, _, tail = text.partition(":")
            line = self._lines[key] = _Line(head + ":", tail)
        return line

    def _packets(
        self,
        counts: dict[_Line, float],
        gauges: dict[_Line, float],
        distributions: dict[_Line, list[float]],
    ) -> Iterator[bytes]:
        """Datagrams of whole lines, each at most `packet_bytes` long."""
        lines = [f"{line.head}{total}{line.tail}" for line, total in counts.items()]
        lines += [f"{line.head}{value}{line.tail}" for line, value in gauges.items()]
        for line, values in distributions.items():
            lines.extend(self._packed(line, values))
        packet: list[str] = []
        size = 0
        for text in lines:
            if packet and size + len(text) + 1 > self.packet_bytes:
                yield "\n".join(packet).encode()
                packet, size = [], 0
            packet.append(text)
            size += len(text) + 1
        if packet:
            yield "\n".join(packet).encode()

    def _packed(self, line: _Line, values: list[float]) -> Iterator[str]:
        """`head v1:v2:... tail` lines that each fit a datagram."""
        room = self.packet_bytes - len(line.head) - len(line.tail)
        chunk: list[str] = []
        size = 0
        for value in values:
            text = str(value)
            if chunk and size + len(text) + 1 > room:
                yield f"{line.head}{':'.join(chunk)}{line.tail}"
                chunk, size = [], 0
            chunk.append(text)
            size += len(text) + 1
        if chunk:
            yield f"{line.head}{':'.join(chunk)}{line.tail}"

    def _send(self, packet: bytes) -> None:
        try:
            self.statsd.get_socket().send(packet)
        except OSError:  # no agent, or its buffer full: these samples are lost, not retried
            log.debug("dogstatsd packet dropped", exc_info=True)
