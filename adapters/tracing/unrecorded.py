"""Traces that nothing records: only which trace a step belongs to is kept, in a context
variable, at the cost of a variable set per trace. The no-op tracer keeps every trace this
way; the OpenTelemetry one keeps the traces its sampler leaves out this way, so that they
cost no SDK span."""

from __future__ import annotations

import contextlib
import contextvars

from askdocs.adapters.tracing.trace_context import TraceContext
from askdocs.application.ports.tracing import Attributes

_current: contextvars.ContextVar[TraceContext | None] = contextvars.ContextVar(
    "askdocs_unrecorded_trace", default=None
)


def current_unrecorded() -> TraceContext | None:
    """Where in an unrecorded trace the current step is; None outside one."""
    return _current.get()


class UnrecordedSpan:
    """A span of which only its trace is known; everything else is dropped."""

    __slots__ = ("context",)

    def __init__(self, context: TraceContext) -> None:
        self.context = context

    @property
    def trace_id(self) -> str:
        return self.context.trace_id

    def set_attributes(self, attributes: Attributes) -> None:
        return None

    def add_event(self, name: str, attributes: Attributes | None = None) -> None:
        return None

    def record_error(self, error: BaseException) -> None:
        return None

    def fail(self, description: str) -> None:
        return None


class UnrecordedScope:
    """Makes `context` the current unrecorded trace for a block when `sets`; a step inside a
    trace changes nothing (it has no span id of its own to hand on) and does not set."""

    __slots__ = ("_sets", "_span", "_token")

    def __init__(self, context: TraceContext, *, sets: bool) -> None:
        self._span = UnrecordedSpan(context)
        self._sets = sets
        self._token: contextvars.Token[TraceContext | None] | None = None

    def __enter__(self) -> UnrecordedSpan:
        if self._sets:
            self._token = _current.set(self._span.context)
        return self._span

    def __exit__(self, *exc_info: object) -> None:
        restore_unrecorded(self._token)


def leave_unrecorded() -> contextvars.Token[TraceContext | None] | None:
    """Make no unrecorded trace current (a recorded span starts inside one); the token for
    `restore_unrecorded`, None when there was nothing to leave."""
    return _current.set(None) if _current.get() is not None else None


def restore_unrecorded(token: contextvars.Token[TraceContext | None] | None) -> None:
    if token is not None:
        # A generator closed from another task holds a token of another context.
        with contextlib.suppress(ValueError):
            _current.reset(token)
