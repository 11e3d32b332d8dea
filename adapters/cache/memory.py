"""AnswerCache in process memory: TTL plus LRU eviction through cachetools."""

from __future__ import annotations

import time
from collections.abc import Callable

from cachetools import TTLCache

from askdocs.application.ports.cache import CacheLookup
from askdocs.domain.answers import Answer, answer_cache_key


class InMemoryAnswerCache:
    """Answers for `ttl_s` seconds, evicting the least recently used beyond `max_entries`.

    The generation lives beside the entries and starts at 0 with every process, which is safe:
    a fresh process also starts with an empty cache, so no old key can be reached.

    Args:
        max_entries: how many answers to keep before evicting the least recently used.
        ttl_s: how long an answer is served after it was stored.
        timer: the monotonic clock the entries expire by (a fake one in tests).
    """

    def __init__(
        self,
        *,
        max_entries: int,
        ttl_s: float,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._entries: TTLCache[str, Answer, float] = TTLCache(max_entries, ttl_s, timer)
        self._generation = 0

    async def generation(self) -> int:
        return self._generation

    async def bump_generation(self) -> int:
        self._generation += 1
        return self._generation

    async def lookup(self, fingerprint: str) -> CacheLookup:
        generation = self._generation
        # `get` reads through __getitem__, which marks the entry as recently used.
        answer = self._entries.get(answer_cache_key(fingerprint, generation))
        return CacheLookup(answer, generation)

    async def put(self, fingerprint: str, generation: int, answer: Answer) -> None:
        if generation == self._generation:  # an older one is unreachable already
            self._entries[answer_cache_key(fingerprint, generation)] = answer
