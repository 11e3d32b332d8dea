"""Failures of a background exporter logged at most once per interval, not once per attempt."""

from __future__ import annotations

import logging
import threading
import time


class OncePerInterval(logging.Filter):
    """Lets one record through per `every_s` seconds and drops the rest, counting them.

    An exporter retries with backoff and logs each attempt; with the collector down that is
    several lines every export interval, per process, for as long as it is down. One line per
    interval says the same, and the count of dropped records rides on the next line through.
    """

    def __init__(self, every_s: float) -> None:
        super().__init__()
        self.every_s = every_s
        self._next_at = 0.0
        self._dropped = 0
        self._lock = threading.Lock()  # exporters log from their own threads

    @property
    def held_back(self) -> int:
        """Records dropped since the last one passed."""
        return self._dropped

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        with self._lock:
            if now < self._next_at:
                self._dropped += 1
                return False
            self._next_at = now + self.every_s
            dropped, self._dropped = self._dropped, 0
        if dropped:
            record.msg = f"{record.msg} ({dropped} similar records dropped since the last)"
        return True
