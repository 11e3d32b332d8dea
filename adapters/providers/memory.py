"""ProviderHealth in process memory: cooldowns seen by one process only."""

from __future__ import annotations

import time
from collections.abc import Callable


class InMemoryProviderHealth:
    """Cooldowns per provider name, ending by a monotonic clock.

    A new cooldown replaces the current one; a non-positive duration ends it.

    Args:
        timer: the monotonic clock cooldowns end by (a fake one in tests).
    """

    def __init__(self, *, timer: Callable[[], float] = time.monotonic) -> None:
        self._timer = timer
        self._until: dict[str, float] = {}

    async def cool_down(self, provider: str, seconds: float) -> None:
        if seconds <= 0:
            self._until.pop(provider, None)
        else:
            self._until[provider] = self._timer() + seconds

    async def is_cooling_down(self, provider: str) -> bool:
        until = self._until.get(provider)
        if until is None:
            return False
        if until <= self._timer():
            del self._until[provider]
            return False
        return True
