"""Both ApiKeyStores keep hashed keys alike: found until revoked, listed newest first, revoked
by id, the first admin key made exactly once however many processes start together."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from askdocs.adapters.auth.memory import InMemoryApiKeyStore
from askdocs.adapters.auth.postgres import PostgresApiKeyStore
from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.application.ports import ApiKeyStore
from askdocs.domain.principals import ApiKey, Role, token_digest

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def key(n: int, role: Role = Role.READER, **fields: object) -> ApiKey:
    return ApiKey(
        token_digest(f"token-{n}"), role, created_at=START + timedelta(minutes=n),
        id=f"k{n}", name=f"key {n}", **fields,  # type: ignore[arg-type]
    )  # fmt: skip


class ApiKeyStoreContract:
    @pytest.fixture
    def store(self) -> ApiKeyStore:
        raise NotImplementedError

    async def test_a_key_is_found_by_its_hash_with_every_field(self, store: ApiKeyStore) -> None:
        expiring = key(1, Role.EDITOR, expires_at=START + timedelta(days=30))
        assert await store.add(expiring)

        assert await store.find(expiring.token_sha256) == expiring
        assert await store.find(token_digest("unknown")) is None

    async def test_keys_are_listed_newest_first_revoked_ones_too(self, store: ApiKeyStore):
        for n in (1, 3, 2):
            await store.add(key(n))
        revoked = await store.revoke("k2", START + timedelta(hours=1))
        again = await store.revoke("k2", START + timedelta(hours=2))

        listed = await store.list()

        assert [k.id for k in listed] == ["k3", "k2", "k1"]
        assert revoked is not None
        assert again is not None
        assert revoked.revoked_at == again.revoked_at == START + timedelta(hours=1)
        assert listed[1].revoked_at == START + timedelta(hours=1)
        assert await store.find(key(2).token_sha256) is None
        assert await store.revoke("nope", START) is None

    async def test_the_last_use_is_recorded(self, store: ApiKeyStore) -> None:
        await store.add(key(1))
        await store.record_use(key(1).token_sha256, START + timedelta(hours=5))

        found = await store.find(key(1).token_sha256)

        assert found is not None
        assert found.last_used_at == START + timedelta(hours=5)

    async def test_only_if_none_usable_stores_while_every_key_is_revoked_or_expired(
        self, store: ApiKeyStore
    ) -> None:
        await store.add(key(1, expires_at=START + timedelta(minutes=5)))
        await store.add(key(2))
        await store.revoke("k2", START)

        first = await store.add(key(10, Role.ADMIN), only_if_none_usable=True)
        second = await store.add(key(11, Role.ADMIN), only_if_none_usable=True)

        assert (first, second) == (True, False)
        assert await store.find(key(11).token_sha256) is None

    async def test_processes_starting_together_make_one_first_key(self, store: ApiKeyStore) -> None:
        stored = await asyncio.gather(
            *(store.add(key(n, Role.ADMIN), only_if_none_usable=True) for n in range(8))
        )

        assert sorted(stored) == [False] * 7 + [True]
        assert len(await store.list()) == 1


class TestInMemoryApiKeyStore(ApiKeyStoreContract):
    @pytest.fixture
    def store(self) -> ApiKeyStore:
        return InMemoryApiKeyStore()


class TestPostgresApiKeyStore(ApiKeyStoreContract):
    @pytest.fixture
    def store(self, postgres: PostgresDatabase) -> ApiKeyStore:
        return PostgresApiKeyStore(postgres)
