"""Protocol: AnswerCache, recent answers keyed by everything that could change them."""

from __future__ import annotations

from typing import Protocol

from askdocs.domain.answers import Answer


class AnswerCache(Protocol):
    """Protocol: answers under keys, plus a corpus generation that every key includes.

    Bumping the generation after any document change makes every older key unreachable, so no
    stale answer is served. Never raises: a cache that cannot be reached behaves as empty, and
    while it is down `generation` may return a negative value under which nothing is stored.
    """

    async def generation(self) -> int:
        """The current corpus generation."""
        ...

    async def bump_generation(self) -> int:
        """Start a new generation after a document change; returns it."""
        ...

    async def get(self, key: str) -> Answer | None:
        """The cached answer, or None."""
        ...

    async def put(self, key: str, answer: Answer) -> None:
        """Remember an answer for the configured time."""
        ...
