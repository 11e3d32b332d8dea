"""The Redis adapters against a real Redis: what the shared contract suites cannot show.

Concurrency across clients, soft delete and expiry, and behaviour while Redis is unreachable
(a client pointed at a closed port: the shared server is never stopped or reconfigured).
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any

import msgspec
import pytest
import redis.exceptions
from redis.asyncio.client import Pipeline
from structlog.testing import capture_logs

from askdocs.adapters.cache.redis import RedisAnswerCache
from askdocs.adapters.cache.redis_entries import decode_answer, encode_answer
from askdocs.adapters.conversations.redis import RedisConversationStore
from askdocs.adapters.providers.redis import RedisProviderHealth
from askdocs.adapters.rate_limits.redis import RedisRateLimiter
from askdocs.adapters.redis.client import RedisClient
from askdocs.application.errors import UpstreamTimeout, UpstreamUnavailable
from askdocs.application.ports.cache import CacheLookup
from askdocs.domain.answers import Answer, Passage, answer_cache_key, answer_fingerprint
from askdocs.domain.rate_limits import RateLimitPolicy
from askdocs.entrypoints.settings import Settings
from tests.contract.builders import make_answer, make_turn
from tests.support.redis import DEAD_URL, redis_url
from tests.support.settings_wiring import from_settings

NOW = 4_000_000_020.0
POLICY = RateLimitPolicy(limit=50, window_s=60)


class SwitchableClient(RedisClient):
    """A RedisClient a test can cut off from its server and reconnect; the keys stay."""

    def __init__(self, live: RedisClient) -> None:
        # No breaker period: the switch is the outage, and any call after it may find Redis.
        super().__init__(
            DEAD_URL,
            prefix=live.prefix,
            socket_timeout_s=Settings().redis.socket_timeout_s,
            breaker_cooldown_s=0,
        )
        self._live = live
        self.down = False

    @property
    def redis(self) -> Any:
        return super().redis if self.down else self._live.redis


@pytest.fixture
async def dead_client() -> AsyncIterator[RedisClient]:
    client = from_settings(RedisClient, url=DEAD_URL, prefix="dead")
    yield client
    await client.close()


@pytest.fixture
async def peers(redis_client: RedisClient) -> AsyncIterator[list[RedisClient]]:
    """Four more clients on the same server and prefix, as other workers would have.

    The generous timeout is deliberate: these tests check atomicity, and on a loaded machine
    opening fifty connections at once can take longer than the production default.
    """
    clients = [
        from_settings(RedisClient, url=redis_url(), prefix=redis_client.prefix, socket_timeout_s=10)
        for _ in range(4)
    ]
    yield clients
    for client in clients:
        await client.close()


def fingerprint(question: str) -> str:
    return answer_fingerprint(question=question, model="m", tags=(), top_k=5, history=())


def levels(logs: Sequence[Mapping[str, Any]]) -> list[str]:
    """The levels of the adapters' own lines; the client's breaker logs its own, tested with
    the breaker."""
    return [entry["log_level"] for entry in logs if not entry["event"].startswith("redis_breaker")]


# Rate limiter


async def test_200_concurrent_hits_from_four_clients_admit_exactly_the_limit(
    redis_client: RedisClient, peers: list[RedisClient]
) -> None:
    limiters = [RedisRateLimiter(client) for client in peers]
    decisions = await asyncio.gather(
        *(limiters[n % 4].hit("ip:1", POLICY, NOW) for n in range(200))
    )
    assert sum(d.allowed for d in decisions) == 50
    assert sorted(d.remaining for d in decisions if d.allowed) == list(range(50))
    peeked = await RedisRateLimiter(redis_client).peek("ip:1", POLICY, NOW)
    assert (peeked.allowed, peeked.remaining, peeked.used) == (False, 0, 50)


async def test_a_counter_expires_one_second_after_a_window_length(
    redis_client: RedisClient,
) -> None:
    await RedisRateLimiter(redis_client).hit("ip:1", POLICY, NOW)
    [counter] = [k async for k in redis_client.redis.scan_iter(match=f"{redis_client.prefix}*")]
    assert 59 <= await redis_client.redis.ttl(counter) <= 61


# Conversation store


async def test_a_deleted_conversation_stays_under_a_deleted_key_until_its_retention_ends(
    redis_client: RedisClient,
) -> None:
    store = RedisConversationStore(redis_client, retention_s=1000)
    await store.append("s1", "key:alice", make_turn("first life"), keep=10)
    await store.delete("s1", "key:alice")
    await store.append("s1", "key:alice", make_turn("second life"), keep=10)
    await store.delete("s1", "key:alice")
    assert await store.get("s1", "key:alice") is None
    pattern = redis_client.key("deleted", "conv", "*", "s1", "*")
    deleted = [k async for k in redis_client.redis.scan_iter(match=pattern)]
    contents = sorted([await redis_client.redis.lrange(k, 0, -1) for k in deleted])
    assert [len(items) for items in contents] == [2, 2]  # a second delete keeps the first copy
    assert sorted(b"first life" in items[1] for items in contents) == [False, True]
    ttls = [await redis_client.redis.ttl(k) for k in deleted]
    assert all(990 < ttl <= 1000 for ttl in ttls)


async def test_each_turn_renews_the_retention(redis_client: RedisClient) -> None:
    store = RedisConversationStore(redis_client, retention_s=1000)
    await store.append("s1", "key:alice", make_turn("first"), keep=10)
    [key] = [k async for k in redis_client.redis.scan_iter(match=redis_client.key("conv", "*"))]
    assert 990 < await redis_client.redis.ttl(key) <= 1000
    await redis_client.redis.expire(key, 5)  # as if 995 s had passed
    await store.append("s1", "key:alice", make_turn("second"), keep=10)
    assert 990 < await redis_client.redis.ttl(key) <= 1000
    conversation = await store.get("s1", "key:alice")
    assert conversation is not None
    assert [t.question for t in conversation.turns] == ["first", "second"]


@pytest.mark.parametrize("keep", [100, 7])
async def test_concurrent_appends_from_two_workers_all_land(
    redis_client: RedisClient, peers: list[RedisClient], keep: int
) -> None:
    workers = [from_settings(RedisConversationStore, client=client) for client in peers[:2]]
    await asyncio.gather(
        *(
            workers[n % 2].append("s1", "key:alice", make_turn(f"q{n}", minutes=n), keep=keep)
            for n in range(40)
        )
    )
    conversation = await from_settings(RedisConversationStore, client=redis_client).get(
        "s1", "key:alice"
    )
    assert conversation is not None
    assert conversation.owner == "key:alice"
    questions = [t.question for t in conversation.turns]
    assert len(questions) == len(set(questions)) == min(40, keep)


# Answer cache


async def test_an_answer_round_trips_exactly(redis_client: RedisClient) -> None:
    cache = RedisAnswerCache(redis_client, ttl_s=60)
    passage = Passage("c:1", "d", "Ünïcode ✓.pdf", 3, None, "text\x00with nul", 0.1 + 0.2, ())
    answer = Answer(
        "réponse [1]",
        (passage, dataclasses.replace(passage, page=7, tags=("a", "b"), score=-1e-300)),
        model="m",
        provider="p",
        cached=True,
        degraded=True,
        warnings=("memory was not saved",),
    )
    await cache.put("k", 0, answer)
    assert (await cache.lookup("k")).answer == answer


def test_the_stored_form_keeps_every_field_of_the_domain_types() -> None:
    passage = Passage("c1", "d1", "guide.pdf", 2, None, "text", 0.25, ("a", "b"))
    answer = Answer("t", (passage,), "m", "p", cached=True, degraded=False, warnings=("w",))
    stored = decode_answer(encode_answer(answer))
    assert stored == answer
    assert {f.name for f in dataclasses.fields(Answer)} <= set(
        msgspec.json.decode(encode_answer(answer))
    )


async def test_an_unreadable_entry_is_a_miss(redis_client: RedisClient) -> None:
    key = redis_client.key("cache", "answer", answer_cache_key("k", 0))
    await redis_client.redis.set(key, b'{"text": 1}')
    assert await RedisAnswerCache(redis_client, ttl_s=60).lookup("k") == CacheLookup(None, 0)


async def test_a_cached_lookup_is_one_round_trip(
    redis_client: RedisClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = RedisAnswerCache(redis_client, ttl_s=60)
    await cache.put("k", 0, make_answer("cached"))
    await cache.lookup("k")  # the first call may load the script into Redis
    round_trips: list[list[object]] = []
    execute = Pipeline.execute

    async def counted(pipeline: Pipeline, *args: Any, **options: Any) -> Any:
        round_trips.append([command[0][0] for command in pipeline.command_stack])
        return await execute(pipeline, *args, **options)

    monkeypatch.setattr(Pipeline, "execute", counted)
    found = await cache.lookup("k")
    assert found.answer == make_answer("cached")
    assert round_trips == [["EVALSHA"]]


async def test_commands_of_concurrent_requests_share_round_trips(
    redis_client: RedisClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = RedisAnswerCache(redis_client, ttl_s=60)
    await cache.lookup("warm")
    round_trips: list[int] = []
    execute = Pipeline.execute

    async def counted(pipeline: Pipeline, *args: Any, **options: Any) -> Any:
        round_trips.append(len(pipeline.command_stack))
        return await execute(pipeline, *args, **options)

    monkeypatch.setattr(Pipeline, "execute", counted)
    for n in range(20):
        await cache.put(f"q{n}", 0, make_answer(f"answer {n}"))
    round_trips.clear()
    found = await asyncio.gather(*(cache.lookup(f"q{n}") for n in range(20)))

    assert [f.answer.text if f.answer else None for f in found] == [
        f"answer {n}" for n in range(20)
    ]
    assert sum(round_trips) == 20
    assert len(round_trips) < 20


async def test_a_cache_on_an_unreachable_redis_degrades_and_logs_the_outage_once(
    dead_client: RedisClient,
) -> None:
    cache = RedisAnswerCache(dead_client, ttl_s=60)
    with capture_logs() as logs:
        first, second = await cache.lookup(fingerprint("q")), await cache.lookup(fingerprint("q"))
        assert first.answer is None
        await cache.put(fingerprint("q"), first.generation, make_answer())
        assert await cache.generation() < 0
        assert await cache.bump_generation() < 0
    assert first.generation < 0
    assert second.generation < 0
    assert first.generation != second.generation  # a key built from one is never built again
    assert levels(logs) == ["warning"]


@pytest.mark.parametrize("first_call", ["generation", "lookup"])
async def test_a_bump_lost_while_redis_is_down_is_applied_once_it_is_back(
    redis_client: RedisClient, first_call: str
) -> None:
    switch = SwitchableClient(redis_client)
    cache = RedisAnswerCache(switch, ttl_s=60)
    other_worker = RedisAnswerCache(redis_client, ttl_s=60)
    await cache.put(fingerprint("q"), 0, make_answer("before the change"))
    switch.down = True
    with capture_logs() as logs:
        await cache.bump_generation()  # a document changed while Redis was unreachable
        await cache.bump_generation()
        assert (await cache.lookup(fingerprint("q"))).answer is None
        switch.down = False
        if first_call == "lookup":
            assert await cache.lookup(fingerprint("q")) == CacheLookup(None, 2)
        assert await cache.generation() == 2
    assert await other_worker.generation() == 2
    assert await other_worker.lookup(fingerprint("q")) == CacheLookup(None, 2)
    assert levels(logs) == ["warning", "info", "info"]  # down, bumps re-applied, back
    assert await cache.bump_generation() == 3  # nothing left to re-apply
    await switch.close()


# Provider cooldowns


async def test_a_cooldown_set_through_one_client_holds_for_another(
    redis_client: RedisClient, peers: list[RedisClient]
) -> None:
    await RedisProviderHealth(redis_client).cool_down("openai", 60)
    assert await RedisProviderHealth(peers[0]).is_cooling_down("openai")
    assert not await RedisProviderHealth(peers[0]).is_cooling_down("groq")


async def test_cooldowns_on_an_unreachable_redis_assume_every_provider_healthy(
    dead_client: RedisClient,
) -> None:
    health = RedisProviderHealth(dead_client)
    with capture_logs() as logs:
        await health.cool_down("openai", 60)
        assert not await health.is_cooling_down("openai")
    assert levels(logs) == ["warning"]


# Errors crossing the ports

DEAD_CALLS: dict[str, Callable[[RedisClient], Awaitable[object]]] = {
    "limiter.hit": lambda c: RedisRateLimiter(c).hit("ip:1", POLICY, NOW),
    "limiter.peek": lambda c: RedisRateLimiter(c).peek("ip:1", POLICY, NOW),
    "store.get": lambda c: from_settings(RedisConversationStore, client=c).get("s1", "key:alice"),
    "store.append": lambda c: from_settings(RedisConversationStore, client=c).append(
        "s1", "key:alice", make_turn("q"), keep=5
    ),
    "store.delete": lambda c: from_settings(RedisConversationStore, client=c).delete(
        "s1", "key:alice"
    ),
    "client.ping": lambda c: c.ping(),
}


@pytest.mark.parametrize("call", DEAD_CALLS.values(), ids=DEAD_CALLS.keys())
async def test_every_method_on_a_dead_server_raises_upstream_unavailable(
    dead_client: RedisClient, call: Callable[[RedisClient], Awaitable[object]]
) -> None:
    with pytest.raises(UpstreamUnavailable) as caught:
        await call(dead_client)
    assert isinstance(caught.value.__cause__, redis.exceptions.ConnectionError)


async def test_a_server_that_never_answers_is_an_upstream_timeout() -> None:
    connections: list[asyncio.StreamWriter] = []

    async def accept_and_stay_silent(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)

    server = await asyncio.start_server(accept_and_stay_silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = from_settings(RedisClient, url=f"redis://127.0.0.1:{port}/0", socket_timeout_s=0.2)
    try:
        with pytest.raises(UpstreamTimeout) as caught:
            await RedisRateLimiter(client).peek("ip:1", POLICY, NOW)
        assert isinstance(caught.value.__cause__, redis.exceptions.TimeoutError)
    finally:
        await client.close()
        for writer in connections:
            writer.close()
            await writer.wait_closed()
        server.close()
        await server.wait_closed()


async def test_a_failing_command_fails_only_its_caller_in_a_shared_round_trip(
    redis_client: RedisClient,
) -> None:
    text_key, count_key = redis_client.key("text"), redis_client.key("count")
    await redis_client.execute("SET", text_key, "not a number")

    outcomes = await asyncio.gather(
        redis_client.execute("INCR", count_key),
        redis_client.execute("INCR", text_key),
        redis_client.execute("INCR", count_key),
        return_exceptions=True,
    )

    assert outcomes[0] == 1
    assert isinstance(outcomes[1], redis.exceptions.ResponseError)
    assert outcomes[2] == 2


async def test_a_script_redis_does_not_know_is_loaded_on_first_use(
    redis_client: RedisClient,
) -> None:
    # A source no Redis has seen (the shared server's script cache is left alone).
    script = redis_client.script(f"-- {uuid.uuid4()}\nreturn ARGV[1] .. '!'")
    assert await script([], ["hello"]) == b"hello!"
    assert await script([], ["again"]) == b"again!"


async def test_every_command_of_a_batch_fails_when_redis_is_unreachable(
    dead_client: RedisClient,
) -> None:
    outcomes = await asyncio.gather(
        dead_client.execute("GET", "a"), dead_client.execute("GET", "b"), return_exceptions=True
    )
    assert all(isinstance(o, redis.exceptions.ConnectionError) for o in outcomes)
