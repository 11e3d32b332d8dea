"""Protocols: Tracer and Span, which record what a request or a job did as a trace."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Literal, Protocol

AttributeValue = str | bool | int | float | Sequence[str]
"""What a span attribute may hold (OpenTelemetry's primitive types)."""
Attributes = Mapping[str, AttributeValue]
SpanKind = Literal["internal", "server", "client", "consumer", "producer"]


class Span(Protocol):
    """Protocol: one timed step of a trace. Never raises: a failing backend drops the data."""

    @property
    def trace_id(self) -> str:
        """The trace this span belongs to: 32 lowercase hex digits (W3C Trace Context)."""
        ...

    def set_attributes(self, attributes: Attributes) -> None:
        """Add or replace attributes (OpenTelemetry semantic names where one exists)."""
        ...

    def add_event(self, name: str, attributes: Attributes | None = None) -> None:
        """Mark a moment inside the span (a stream's first token)."""
        ...

    def record_error(self, error: BaseException) -> None:
        """Record `error` on the span and mark the span failed; the caller decides whether
        it propagates. An exception leaving the span's block is recorded the same way."""
        ...

    def fail(self, description: str) -> None:
        """Mark the span failed without an exception to record (a 5xx response)."""
        ...


class Tracer(Protocol):
    """Protocol: spans, the current trace, and the W3C `traceparent` that carries it on.

    A span opened with `span` is the current one inside its block: spans opened there are
    its children, and `traceparent` names it. Every method works with tracing off too: the
    trace id is then still a valid W3C one (the caller's, or a fresh random one), so ids
    handed to clients and written to logs are real trace ids in every configuration.
    Never raises.
    """

    def span(
        self,
        name: str,
        *,
        attributes: Attributes | None = None,
        links: Sequence[str] = (),
        parent: str | None = None,
        kind: SpanKind = "internal",
    ) -> AbstractContextManager[Span]:
        """A span around the block, child of the current one.

        Args:
            name: what the step is (`POST /api/v1/chat`, `retrieval`, `chat gpt-4o`).
            attributes: set at the start.
            links: `traceparent` values of related traces (the upload a job came from).
            parent: a `traceparent` to continue (a caller's); malformed ones are ignored.
            kind: OpenTelemetry's span kind.
        """
        ...

    def trace_id(self) -> str | None:
        """The current trace's id (32 hex digits); None outside any span."""
        ...

    def traceparent(self) -> str | None:
        """The W3C `traceparent` naming the current span, for outgoing calls and job
        payloads; None outside any span."""
        ...
