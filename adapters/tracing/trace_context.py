"""W3C Trace Context: the `traceparent` header, read and written without any SDK."""

from __future__ import annotations

import dataclasses
import random
import re

_TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$")
_INVALID_TRACE_ID = "0" * 32
_INVALID_SPAN_ID = "0" * 16


@dataclasses.dataclass(frozen=True, slots=True)
class TraceContext:
    """Where in which trace a span sits: the ids a `traceparent` carries."""

    trace_id: str
    span_id: str
    sampled: bool

    @classmethod
    def parse(cls, header: str | None) -> TraceContext | None:
        """The context `header` names; None for a missing or malformed one (W3C: a receiver
        then starts a trace of its own). Version ff and all-zero ids are invalid."""
        found = _TRACEPARENT.match((header or "").strip().lower())
        if found is None:
            return None
        version, trace_id, span_id, flags, rest = found.groups()
        if version == "ff" or (version == "00" and rest):
            return None
        if trace_id == _INVALID_TRACE_ID or span_id == _INVALID_SPAN_ID:
            return None
        return cls(trace_id, span_id, sampled=bool(int(flags, 16) & 1))

    @classmethod
    def fresh(cls) -> TraceContext:
        """The root of a new trace, not sampled (nothing records it)."""
        return cls(new_trace_id(), new_span_id(), sampled=False)

    @property
    def traceparent(self) -> str:
        return f"00-{self.trace_id}-{self.span_id}-{'01' if self.sampled else '00'}"


# Ids need to be unique, not secret: the OpenTelemetry SDK draws them the same way, at a
# fraction of the cost of the operating system's random source.


def new_trace_id() -> str:
    """A random trace id: 128 bits, as W3C's `random-trace-id` flag promises."""
    return f"{random.getrandbits(128) or 1:032x}"


def new_span_id() -> str:
    return f"{random.getrandbits(64) or 1:016x}"
