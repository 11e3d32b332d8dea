"""AnswerCache in Redis: answers shared by every worker, invalidated by a corpus generation.

Keys: `<prefix>:cache:generation` holds the generation (absent means 0) and
`<prefix>:cache:answer:<key>` one answer as msgspec JSON, written with a time to live.

The cache degrades, it never fails a request: when Redis cannot be reached `get` is a miss,
`put` is dropped, `generation` returns an unreachable generation and `bump_generation`
remembers the bump. An outage is logged once (`askdocs.cache`), not once per request.
"""

from __future__ import annotations

import secrets

import msgspec
import structlog

from askdocs.adapters.cache.redis_entries import decode_answer, encode_answer
from askdocs.adapters.redis.client import RedisClient
from askdocs.adapters.redis.degradation import OutageLog
from askdocs.application.errors import UpstreamError
from askdocs.domain.answers import Answer

log = structlog.get_logger("askdocs.cache")


def unreachable_generation() -> int:
    """A generation no key was ever stored under: negative (INCR never goes below 0) and
    random per call, so a key built from it misses even if Redis answers again by the `get`,
    in this process or any other. A `put` under it stores an entry nobody asks for, which
    expires with its time to live."""
    return -1 - secrets.randbits(62)


class RedisAnswerCache:
    """Answers for `ttl_s` seconds in Redis (Redis evicts by its own memory policy).

    A bump that fails is not lost: it is counted and re-applied (one INCRBY) by the next
    operation that reaches Redis, before anything is read, so no answer from before the
    document change is served once Redis is back. That operation, when it is a `get` or a
    `put`, carries a key built before the re-applied bump, so it is a miss or dropped. A bump
    whose reply was lost after Redis applied it is applied twice: one more invalidation, which
    costs misses, never a stale answer.

    Args:
        client: the shared RedisClient.
        ttl_s: how long an answer is served after it was stored (millisecond precision).
    """

    def __init__(self, client: RedisClient, *, ttl_s: float) -> None:
        self._client = client
        self._ttl_ms = max(1, round(ttl_s * 1000))
        self._generation_key = client.key("cache", "generation")
        self._lost_bumps = 0
        self._outage = OutageLog(log, "answer cache")

    async def generation(self) -> int:
        try:
            if self._lost_bumps:
                return await self._increment(0)
            async with self._client.translate_errors():
                raw = await self._client.redis.get(self._generation_key)
        except UpstreamError as exc:
            self._outage.failed("generation", exc)
            return unreachable_generation()
        self._outage.succeeded()
        return int(raw or 0)

    async def bump_generation(self) -> int:
        """The new generation; while Redis is down, an unreachable one (the bump is kept)."""
        try:
            return await self._increment(1)
        except UpstreamError as exc:
            self._lost_bumps += 1
            self._outage.failed("bump_generation", exc)
            return unreachable_generation()

    async def get(self, key: str) -> Answer | None:
        try:
            if self._lost_bumps:
                await self._increment(0)
                return None
            async with self._client.translate_errors():
                raw = await self._client.redis.get(self._answer_key(key))
        except UpstreamError as exc:
            self._outage.failed("get", exc)
            return None
        self._outage.succeeded()
        if raw is None:
            return None
        try:
            return decode_answer(raw)
        except msgspec.DecodeError as exc:
            # Written by another askdocs version whose Answer had other fields: a miss.
            log.warning("unreadable cached answer ignored", error=str(exc))
            return None

    async def put(self, key: str, answer: Answer) -> None:
        try:
            if self._lost_bumps:
                await self._increment(0)
                return
            async with self._client.translate_errors():
                await self._client.redis.set(
                    self._answer_key(key), encode_answer(answer), px=self._ttl_ms
                )
        except UpstreamError as exc:
            self._outage.failed("put", exc)
            return
        self._outage.succeeded()

    async def _increment(self, bumps: int) -> int:
        """INCRBY the generation by `bumps` plus those lost; returns the new generation."""
        lost = self._lost_bumps
        async with self._client.translate_errors():
            value = await self._client.redis.incrby(self._generation_key, lost + bumps)
        # Bumps lost while this INCRBY was in flight stay counted for the next operation.
        self._lost_bumps -= lost
        self._outage.succeeded()
        if lost:
            log.info("lost generation bumps re-applied", bumps=lost, generation=value)
        return int(value)

    def _answer_key(self, key: str) -> str:
        return self._client.key("cache", "answer", key)
