"""How `askdocs ingest` tells that nothing takes the jobs it is waiting for.

From the versions' statuses alone: the server cannot see the workers on other machines, but a
version that leaves `queued` shows that one runs (ADR 33).
"""

from __future__ import annotations

IDLE_QUEUE_HINT_AFTER_S = 15.0
"""Seconds every uploaded version may stay `queued` before `ingest` says why that may be."""
IDLE_QUEUE_HINT = (
    "no upload has left the queue in {seconds:g} s: if no worker is running, start "
    "`askdocs worker` with the server's settings, or let the server ingest "
    "(ASKDOCS_WORKER__IN_SERVE unset or true); still waiting"
)


class IdleQueueWatch:
    """Whether anything takes the jobs, judged from the versions' statuses alone: the server
    cannot see other machines' workers, but a version that leaves `queued` shows one."""

    def __init__(self, *, started_at: float, after_s: float = IDLE_QUEUE_HINT_AFTER_S) -> None:
        self._after_s = after_s
        self._due_at = started_at + after_s
        self._moved = False
        self._hinted = False

    def observe(self, status: str | None) -> None:
        """A version's status, as polled."""
        if status != "queued":
            self._moved = True

    @property
    def hint(self) -> str:
        """The line to print: the likely cause, and its fix."""
        return IDLE_QUEUE_HINT.format(seconds=self._after_s)

    def hint_due(self, now: float) -> bool:
        """True once, when nothing has moved by the deadline; never after a version moved."""
        if self._moved or self._hinted or now < self._due_at:
            return False
        self._hinted = True
        return True
