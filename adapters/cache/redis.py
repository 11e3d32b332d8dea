"""AnswerCache in Redis: answers shared by every worker, invalidated by a corpus generation.

Keys: `<prefix>:cache:generation` holds the generation (absent means 0) and
`<prefix>:cache:answer:<generation>:<fingerprint>` one answer as msgspec JSON, written with a
time to live. A lookup reads the generation and the answer under it in one script, so the cached
/chat path costs one round trip; a store checks, in its script, that the generation is still
current, so an answer computed across a document change is never written. The scripts build
the answer's key from the generation they read, so the keys are not declared to Redis: this
works on a standalone or replicated Redis, not on Redis Cluster.

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
from askdocs.application.ports.cache import CacheLookup
from askdocs.domain.answers import Answer, answer_cache_key

log = structlog.get_logger("askdocs.cache")

# KEYS[1] the generation; ARGV[1] the answer keys' prefix, ARGV[2] the fingerprint.
# The answer's key is ARGV[1] .. answer_cache_key(fingerprint, generation).
_LOOKUP = """
local generation = redis.call('GET', KEYS[1]) or '0'
return {generation, redis.call('GET', ARGV[1] .. generation .. ':' .. ARGV[2])}
"""
# KEYS[1] the generation, KEYS[2] the answer; ARGV[1] the generation looked under,
# ARGV[2] the answer, ARGV[3] its time to live in milliseconds.
_PUT = """
if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1
"""


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
    document change is served once Redis is back. That operation, when it is a lookup, is a
    miss; when it is a store, it is dropped. A bump
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
        self._answer_prefix = client.key("cache", "answer", "")
        self._lookup = client.script(_LOOKUP)
        self._put = client.script(_PUT)
        self._lost_bumps = 0
        self._outage = OutageLog(log, "answer cache")

    async def generation(self) -> int:
        try:
            if self._lost_bumps:
                return await self._increment(0)
            async with self._client.translate_errors():
                raw = await self._client.execute("GET", self._generation_key)
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

    async def lookup(self, fingerprint: str) -> CacheLookup:
        try:
            if self._lost_bumps:
                return CacheLookup(None, await self._increment(0))
            async with self._client.translate_errors():
                generation, raw = await self._lookup(
                    [self._generation_key], [self._answer_prefix, fingerprint]
                )
        except UpstreamError as exc:
            self._outage.failed("lookup", exc)
            return CacheLookup(None, unreachable_generation())
        self._outage.succeeded()
        return CacheLookup(_decoded(raw), int(generation))

    async def put(self, fingerprint: str, generation: int, answer: Answer) -> None:
        if generation < 0:
            return  # looked up while Redis was unreachable: nobody will ask under it
        try:
            if self._lost_bumps:
                await self._increment(0)
                return
            key = self._answer_prefix + answer_cache_key(fingerprint, generation)
            async with self._client.translate_errors():
                await self._put(
                    [self._generation_key, key], [generation, encode_answer(answer), self._ttl_ms]
                )
        except UpstreamError as exc:
            self._outage.failed("put", exc)
            return
        self._outage.succeeded()

    async def _increment(self, bumps: int) -> int:
        """INCRBY the generation by `bumps` plus those lost; returns the new generation."""
        lost = self._lost_bumps
        async with self._client.translate_errors():
            value = await self._client.execute("INCRBY", self._generation_key, lost + bumps)
        # Bumps lost while this INCRBY was in flight stay counted for the next operation.
        self._lost_bumps -= lost
        self._outage.succeeded()
        if lost:
            log.info("lost generation bumps re-applied", bumps=lost, generation=value)
        return int(value)


def _decoded(raw: bytes | None) -> Answer | None:
    if raw is None:
        return None
    try:
        return decode_answer(raw)
    except msgspec.DecodeError as exc:
        # Written by another askdocs version whose Answer had other fields: a miss.
        log.warning("unreadable cached answer ignored", error=str(exc))
        return None
