"""Contract: ApiKeyStore. Subclass ApiKeyStoreContract once per adapter."""

from __future__ import annotations

import pytest

from askdocs.adapters.auth.memory import InMemoryApiKeyStore
from askdocs.application.ports.auth import ApiKeyStore
from askdocs.domain.principals import Role
from tests.contract.builders import make_api_key, sha


class ApiKeyStoreContract:
    """Behaviour every ApiKeyStore must have; `keys` must start empty."""

    @pytest.fixture
    def keys(self) -> ApiKeyStore:
        raise NotImplementedError

    async def test_an_added_key_is_found_by_its_hash(self, keys: ApiKeyStore) -> None:
        key = make_api_key("token-1", role=Role.EDITOR)
        await keys.add(key)
        assert await keys.find(sha("token-1")) == key

    async def test_an_unknown_hash_finds_nothing(self, keys: ApiKeyStore) -> None:
        await keys.add(make_api_key("token-1"))
        assert await keys.find(sha("token-2")) is None

    async def test_a_revoked_key_is_not_found(self, keys: ApiKeyStore) -> None:
        await keys.add(make_api_key("token-1", revoked=True))
        assert await keys.find(sha("token-1")) is None


class TestInMemoryApiKeyStore(ApiKeyStoreContract):
    @pytest.fixture
    def keys(self) -> ApiKeyStore:
        return InMemoryApiKeyStore()

    async def test_keys_given_at_construction_are_found(self) -> None:
        given = [make_api_key("a", role=Role.ADMIN), make_api_key("b", revoked=True)]
        keys = InMemoryApiKeyStore(given)
        assert await keys.find(sha("a")) == given[0]
        assert await keys.find(sha("b")) is None
