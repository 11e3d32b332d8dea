"""The series every VectorIndex search leaves, whichever adapter ran it."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from askdocs.application.ports.observability import Metrics


@contextlib.contextmanager
def measured_search(metrics: Metrics | None, model: str) -> Iterator[None]:
    """Count and time the search in the block as `vector_search_requests` and
    `vector_search_duration_seconds`, tagged with `status` (`ok`, or `error` when it raised:
    the exception goes on) and the embedding `model`. A search cancelled by its caller ended
    neither way and is left out."""
    started = time.perf_counter()
    try:
        yield
    except Exception:
        _record(metrics, model, "error", started)
        raise
    _record(metrics, model, "ok", started)


def _record(metrics: Metrics | None, model: str, status: str, started: float) -> None:
    if metrics is not None:
        tags = {"status": status, "model": model}
        seconds = time.perf_counter() - started
        metrics.observe("vector_search_duration_seconds", seconds, tags=tags)
        metrics.increment("vector_search_requests", tags=tags)
