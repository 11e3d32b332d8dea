"""Protocol: ApiKeyStore, the hashed API keys and their roles."""

from __future__ import annotations

from typing import Protocol

from askdocs.domain.principals import ApiKey


class ApiKeyStore(Protocol):
    """Protocol: API keys by the SHA-256 of the token; tokens themselves are never stored.

    Raises:
        UpstreamUnavailable: the store cannot be reached.
    """

    async def find(self, token_sha256: str) -> ApiKey | None:
        """The unrevoked key with this hash, or None."""
        ...

    async def add(self, key: ApiKey) -> None:
        """Store a new key."""
        ...
