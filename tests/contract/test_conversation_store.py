"""Contract: ConversationStore. Subclass ConversationStoreContract once per adapter."""

from __future__ import annotations

import asyncio

import pytest

from askdocs.adapters.conversations.memory import InMemoryConversationStore
from askdocs.adapters.conversations.redis import RedisConversationStore
from askdocs.adapters.redis.client import RedisClient
from askdocs.application.ports.conversations import ConversationStore
from tests.contract.builders import make_turn
from tests.support.settings_wiring import from_settings


class ConversationStoreContract:
    """Behaviour every ConversationStore must have; `store` must start empty."""

    @pytest.fixture
    def store(self) -> ConversationStore:
        raise NotImplementedError

    async def test_an_unknown_session_has_no_conversation(self, store: ConversationStore) -> None:
        assert await store.get("nobody", "key:alice") is None

    async def test_the_first_turn_creates_the_conversation_for_its_owner(
        self, store: ConversationStore
    ) -> None:
        await store.append("s1", "key:alice", make_turn("hello"), keep=10)
        conversation = await store.get("s1", "key:alice")
        assert conversation is not None
        assert (conversation.id, conversation.owner) == ("s1", "key:alice")
        assert conversation.turns == (make_turn("hello"),)

    async def test_only_the_newest_turns_are_kept_oldest_first(
        self, store: ConversationStore
    ) -> None:
        for n in range(5):
            await store.append("s1", "key:alice", make_turn(f"q{n}", minutes=n), keep=3)
        conversation = await store.get("s1", "key:alice")
        assert conversation is not None
        assert [t.question for t in conversation.turns] == ["q2", "q3", "q4"]
        assert conversation.turns[-1] == make_turn("q4", minutes=4)

    async def test_sessions_are_kept_apart(self, store: ConversationStore) -> None:
        await store.append("s1", "key:alice", make_turn("mine"), keep=10)
        await store.append("s2", "key:bob", make_turn("yours"), keep=10)
        s1, s2 = await store.get("s1", "key:alice"), await store.get("s2", "key:bob")
        assert s1 is not None
        assert s2 is not None
        assert ([t.question for t in s1.turns], s2.owner) == (["mine"], "key:bob")

    async def test_one_session_id_named_by_two_owners_is_two_conversations(
        self, store: ConversationStore
    ) -> None:
        await asyncio.gather(
            *(store.append("s1", owner, make_turn(f"{owner} {n}"), keep=30)
              for n in range(10) for owner in ("key:alice", "key:bob"))
        )  # fmt: skip
        await store.delete("s1", "key:bob")

        alice = await store.get("s1", "key:alice")
        assert alice is not None
        assert alice.owner == "key:alice"
        assert sorted(t.question for t in alice.turns) == sorted(
            f"key:alice {n}" for n in range(10)
        )
        assert await store.get("s1", "key:bob") is None

    async def test_a_deleted_conversation_is_gone_and_starts_afresh(
        self, store: ConversationStore
    ) -> None:
        await store.append("s1", "key:alice", make_turn("before"), keep=10)
        await store.delete("s1", "key:alice")
        assert await store.get("s1", "key:alice") is None
        await store.append("s1", "key:alice", make_turn("after"), keep=10)
        conversation = await store.get("s1", "key:alice")
        assert conversation is not None
        assert [t.question for t in conversation.turns] == ["after"]

    async def test_deleting_an_unknown_session_is_harmless(self, store: ConversationStore) -> None:
        await store.delete("nobody", "key:alice")
        assert await store.get("nobody", "key:alice") is None

    async def test_keeping_zero_turns_remembers_none(self, store: ConversationStore) -> None:
        await store.append("s1", "key:alice", make_turn("forgotten"), keep=0)
        conversation = await store.get("s1", "key:alice")
        assert conversation is None or conversation.turns == ()


class TestInMemoryConversationStore(ConversationStoreContract):
    @pytest.fixture
    def store(self) -> ConversationStore:
        return from_settings(InMemoryConversationStore)

    async def test_a_session_expires_after_its_retention_since_the_last_turn(self) -> None:
        now = [0.0]
        store = InMemoryConversationStore(ttl_s=100, timer=lambda: now[0])
        await store.append("s1", "key:alice", make_turn("first"), keep=10)
        now[0] = 90
        await store.append("s1", "key:alice", make_turn("second"), keep=10)
        now[0] = 180  # 90 s after the last turn: still kept, the expiry slides
        assert await store.get("s1", "key:alice") is not None
        now[0] = 191
        assert await store.get("s1", "key:alice") is None

    async def test_past_its_capacity_the_least_recently_used_session_goes(self) -> None:
        store = from_settings(InMemoryConversationStore, max_sessions=2)
        for session in ("s1", "s2", "s3"):
            await store.append(session, "key:alice", make_turn(session), keep=10)
        assert await store.get("s1", "key:alice") is None
        assert await store.get("s3", "key:alice") is not None


class TestRedisConversationStore(ConversationStoreContract):
    @pytest.fixture
    def store(self, redis_client: RedisClient) -> ConversationStore:
        return from_settings(RedisConversationStore, client=redis_client)
