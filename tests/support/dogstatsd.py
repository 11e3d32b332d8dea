"""A DogStatsD agent stand-in: a UDP socket that parses the lines it receives."""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import socket
from collections.abc import Iterator
from typing import Protocol

RECEIVE_TIMEOUT_S = 10.0
END = "askdocs.end_of_test_samples"


class Flushable(Protocol):
    def increment(self, name: str, *, amount: float = 1, tags: dict[str, str]) -> None: ...

    def flush(self) -> None: ...


@dataclasses.dataclass(frozen=True)
class Line:
    """One sample, from `name:value|kind|#tag,tag`."""

    name: str
    value: float
    kind: str
    tags: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> list[Line]:
        """The samples of a line: one, or several packed as `name:v1:v2:...|kind|...`."""
        name, _, rest = text.partition(":")
        values, kind, *fields = rest.split("|")
        tags = next((field[1:].split(",") for field in fields if field.startswith("#")), [])
        return [cls(name, float(value), kind, tuple(sorted(tags))) for value in values.split(":")]


@dataclasses.dataclass
class DogStatsdListener:
    sock: socket.socket
    received: list[Line] = dataclasses.field(default_factory=list)
    _marks: Iterator[int] = dataclasses.field(default_factory=itertools.count)

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    @classmethod
    @contextlib.contextmanager
    def bound(cls) -> Iterator[DogStatsdListener]:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind(("127.0.0.1", 0))
            sock.settimeout(RECEIVE_TIMEOUT_S)
            yield cls(sock)

    def receive_until(self, done: str) -> list[Line]:
        """Every line received, up to the datagram with a line that contains `done`."""
        while True:
            datagram = self.sock.recv(65_535).decode()
            texts = [text for text in datagram.splitlines() if text]
            for text in texts:
                if END not in text:
                    self.received.extend(Line.parse(text))
            if any(done in text for text in texts):
                return self.received

    def drain(self, metrics: Flushable) -> list[Line]:
        """Every line received once what `metrics` buffered so far has arrived: a marker is
        sent after it, through the same socket, and the lines are read up to the marker. What
        was recorded is flushed before the marker is, so no line of it follows the marker."""
        metrics.flush()
        mark = f"mark:{next(self._marks)}"
        metrics.increment(END.removeprefix("askdocs."), tags={"mark": mark.split(":")[1]})
        metrics.flush()
        return self.receive_until(f"{END}:1|c|#{mark}")
