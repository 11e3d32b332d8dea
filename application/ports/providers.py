"""Protocol: ProviderHealth, LLM provider cooldowns shared by every worker."""

from __future__ import annotations

from typing import Protocol


class ProviderHealth(Protocol):
    """Protocol: which providers failed recently and should be skipped for a while.

    Never raises: a store that cannot be reached reports every provider healthy, so an outage
    of the store costs at most a retry of a failing provider, never an answer.
    """

    async def cool_down(self, provider: str, seconds: float) -> None:
        """Skip `provider` for the next `seconds`, in every worker; `seconds` <= 0 ends it."""
        ...

    async def is_cooling_down(self, provider: str) -> bool:
        """Whether `provider` is still in its cooldown."""
        ...
