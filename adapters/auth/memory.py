"""ApiKeyStore in process memory."""

from __future__ import annotations

from collections.abc import Iterable

from askdocs.domain.principals import ApiKey


class InMemoryApiKeyStore:
    """API keys by the SHA-256 of their token, held in process memory.

    Args:
        keys: keys to start with, for example those given in the settings.
    """

    def __init__(self, keys: Iterable[ApiKey] = ()) -> None:
        self._keys = {key.token_sha256: key for key in keys}

    async def find(self, token_sha256: str) -> ApiKey | None:
        key = self._keys.get(token_sha256)
        return key if key is not None and key.revoked_at is None else None

    async def add(self, key: ApiKey) -> None:
        self._keys[key.token_sha256] = key
