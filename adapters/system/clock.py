"""Clock backed by the system's wall clock."""

from __future__ import annotations

import time
from datetime import UTC, datetime


class SystemClock:
    """The real time: `now()` is timezone-aware UTC, `timestamp()` epoch seconds."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def timestamp(self) -> float:
        return time.time()
