"""Protocols: ApiKeyStore, the hashed API keys and their roles; BearerTokenVerifier, the
signed tokens an identity provider issues."""

from __future__ import annotations

from typing import Protocol

from askdocs.domain.principals import ApiKey, TokenClaims


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
