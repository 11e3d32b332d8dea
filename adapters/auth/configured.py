"""The keys of the settings in front of the stored ones, with a short-lived lookup cache."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable
from datetime import datetime

from cachetools import TTLCache

from askdocs.application.api_keys import SETTINGS_KEY_ID_PREFIX
from askdocs.application.ports import ApiKeyStore
from askdocs.domain.principals import ApiKey

FOUND_KEYS_TTL_S = 1.0
"""How long a key found in the store is believed without asking again: a key revoked by
another process stops working within this time. Unknown tokens are never cached, so a new
key works at once."""


class ConfiguredThenStoredKeys:
    """ApiKeyStore: keys from ASKDOCS_AUTH__API_KEYS (fixed, listed with a `settings:` id),
    then those in `stored`, whose lookups are cached for FOUND_KEYS_TTL_S."""

    def __init__(
        self,
        configured: Iterable[ApiKey],
        stored: ApiKeyStore,
        *,
        ttl_s: float = FOUND_KEYS_TTL_S,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._configured = {
            key.token_sha256: dataclasses.replace(key, id=SETTINGS_KEY_ID_PREFIX + key.prefix)
            for key in configured
        }
        self._stored = stored
        self._found: TTLCache[str, ApiKey, float] = TTLCache(10_000, ttl_s, timer)

    @property
    def has_configured_keys(self) -> bool:
        return bool(self._configured)

    async def find(self, token_sha256: str) -> ApiKey | None:
        if (key := self._configured.get(token_sha256)) is not None:
            return key
        if (key := self._found.get(token_sha256)) is not None:
            return key
        key = await self._stored.find(token_sha256)
        if key is not None:
            self._found[token_sha256] = key
        return key

    async def add(self, key: ApiKey, *, only_if_none_usable: bool = False) -> bool:
        return await self._stored.add(key, only_if_none_usable=only_if_none_usable)

    async def list(self) -> list[ApiKey]:
        return [*await self._stored.list(), *self._configured.values()]

    async def revoke(self, key_id: str, at: datetime) -> ApiKey | None:
        revoked = await self._stored.revoke(key_id, at)
        if revoked is not None:
            self._found.pop(revoked.token_sha256, None)  # at once in this process
        return revoked

    async def record_use(self, token_sha256: str, at: datetime) -> None:
        await self._stored.record_use(token_sha256, at)
