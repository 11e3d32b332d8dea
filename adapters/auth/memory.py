"""ApiKeyStore in process memory."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime

from askdocs.domain.principals import ApiKey


class InMemoryApiKeyStore:
    """API keys by the SHA-256 of their token, held in process memory.

    Args:
        keys: keys to start with.
    """

    def __init__(self, keys: Iterable[ApiKey] = ()) -> None:
        self._keys = {key.token_sha256: key for key in keys}

    async def find(self, token_sha256: str) -> ApiKey | None:
        key = self._keys.get(token_sha256)
        return key if key is not None and key.revoked_at is None else None

    async def add(self, key: ApiKey, *, only_if_none_usable: bool = False) -> bool:
        now = key.created_at
        if only_if_none_usable and now is not None and self._any_usable_at(now):
            return False
        self._keys[key.token_sha256] = key
        return True

    def _any_usable_at(self, now: datetime) -> bool:
        return any(stored.usable_at(now) for stored in self._keys.values())

    async def list(self) -> list[ApiKey]:
        return sorted(
            self._keys.values(),
            key=lambda k: k.created_at.timestamp() if k.created_at else float("-inf"),
            reverse=True,
        )

    async def revoke(self, key_id: str, at: datetime) -> ApiKey | None:
        for digest, key in self._keys.items():
            if key.id == key_id:
                if key.revoked_at is None:
                    key = self._keys[digest] = dataclasses.replace(key, revoked_at=at)
                return key
        return None

    async def record_use(self, token_sha256: str, at: datetime) -> None:
        if (key := self._keys.get(token_sha256)) is not None:
            self._keys[token_sha256] = dataclasses.replace(key, last_used_at=at)
