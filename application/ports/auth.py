"""Protocols: ApiKeyStore, the hashed API keys and their roles; BearerTokenVerifier, the
signed tokens an identity provider issues."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from askdocs.domain.principals import ApiKey, TokenClaims


class ApiKeyStore(Protocol):
    """Protocol: API keys by the SHA-256 of the token; tokens themselves are never stored.

    Raises:
        UpstreamUnavailable: the store cannot be reached, or is not set up (a database
            schema not migrated).
    """

    async def find(self, token_sha256: str) -> ApiKey | None:
        """The unrevoked key with this hash, or None (an expired one is returned: the caller
        judges expiry by its clock)."""
        ...

    # No mutation of this default: a Protocol's never runs (an implementation's own does).
    async def add(
        self,
        key: ApiKey,
        *,
        only_if_none_usable: bool = False,  # pragma: no mutate
    ) -> bool:
        """Store a new key; True when stored. With `only_if_none_usable`, store it only if no
        key stored is usable at `key.created_at`, atomically with respect to other processes
        (the first start of a deployment makes exactly one admin key)."""
        ...

    async def list(self) -> list[ApiKey]:
        """Every key, revoked ones too, newest first."""
        ...

    async def revoke(self, key_id: str, at: datetime) -> ApiKey | None:
        """Mark the key with this id revoked (a revoked key stays revoked); None if unknown."""
        ...

    async def record_use(self, token_sha256: str, at: datetime) -> None:
        """Remember when the key was last used."""
        ...


class BearerTokenVerifier(Protocol):
    """Protocol: checks a signed bearer token (a JWT) and says what it claims.

    The verifier decides whether the token is genuine and meant for this service; which role
    its grants confer is the application's decision.

    Raises:
        InvalidToken: the token is malformed, signed with an algorithm or a key that is not
            allowed, wrongly signed, expired, not yet valid, or issued by or for someone else.
        UpstreamUnavailable: the keys to check it against cannot be fetched and none are known.
    """

    async def verify(self, token: str) -> TokenClaims:
        """The claims of a token that passed every check."""
        ...
