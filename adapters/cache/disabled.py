"""AnswerCache that keeps nothing, for when this process cannot learn of document changes."""

from __future__ import annotations

from askdocs.application.ports.cache import CacheLookup
from askdocs.domain.answers import Answer

# Negative: the port's value for "nothing may be stored under this generation".
_NEVER = -1


class DisabledAnswerCache:
    """Every lookup misses and nothing is stored.

    Chosen when documents are ingested by other processes (`askdocs worker`) and there is no
    shared cache: an in-process cache would go on serving answers from before a change it
    never hears of.
    """

    async def generation(self) -> int:
        return _NEVER

    async def bump_generation(self) -> int:
        return _NEVER

    async def lookup(self, fingerprint: str) -> CacheLookup:
        return CacheLookup(None, _NEVER)

    async def put(self, fingerprint: str, generation: int, answer: Answer) -> None:
        return None
