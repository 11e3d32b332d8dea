"""Protocol: AnswerCache, recent answers keyed by everything that could change them."""

from __future__ import annotations

import dataclasses
from typing import Protocol

from askdocs.domain.answers import Answer


@dataclasses.dataclass(frozen=True, slots=True)
class CacheLookup:
    """What a lookup found: the answer, if any, and the generation it looked under.

    An answer computed after a miss is stored under this generation, not the current one at
    the time of storing: if the corpus changed in between, the answer is never served.
    """

    answer: Answer | None
    generation: int


class AnswerCache(Protocol):
    """Protocol: answers under request fingerprints (`answer_fingerprint`) and a corpus
    generation (`answer_cache_key` combines them).

    Bumping the generation after any document change makes every older entry unreachable, so
    no stale answer is served. Never raises: a cache that cannot be reached behaves as empty,
    and while it is down lookups report a negative generation under which nothing is stored.
    """

    async def generation(self) -> int:
        """The current corpus generation."""
        ...

    async def bump_generation(self) -> int:
        """Start a new generation after a document change; returns it."""
        ...

    async def lookup(self, fingerprint: str) -> CacheLookup:
        """The answer for `fingerprint` under the current generation, read together with
        that generation (one round trip for a shared cache)."""
        ...

    async def put(self, fingerprint: str, generation: int, answer: Answer) -> None:
        """Remember an answer under `generation` (from `lookup`) for the configured time."""
        ...
