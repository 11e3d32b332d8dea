"""A monotonic clock for adapters that take one as a callable (`timer=`, `clock=`)."""

from __future__ import annotations


class FakeTimer:
    """Monotonic seconds that move only when a test sets or adds to `now`."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
