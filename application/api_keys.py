"""AuthenticateKey and CreateApiKey: API keys that are stored only as hashes."""

from __future__ import annotations

import dataclasses
import secrets

from askdocs.application.errors import Unauthenticated
from askdocs.application.ports import ApiKeyStore, Clock
from askdocs.domain.principals import ApiKey, Principal, Role, token_digest

TOKEN_PREFIX = "askd_"  # noqa: S105 - a public marker, not a secret


def new_token() -> str:
    """A 256-bit random token, URL-safe, recognisable by its prefix in leaked-secret scans."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


@dataclasses.dataclass(frozen=True, slots=True)
class AuthenticateKey:
    """Find the principal behind a presented token.

    Raises:
        Unauthenticated: the token is empty, unknown or revoked.
    """

    keys: ApiKeyStore

    async def execute(self, token: str) -> Principal:
        if not token:
            raise Unauthenticated("an API key is required")
        key = await self.keys.find(token_digest(token))
        if key is None:
            raise Unauthenticated("the API key is not valid")
        return key.principal()


@dataclasses.dataclass(frozen=True, slots=True)
class CreateApiKey:
    """Make a new key for a role; the token is returned once and only its hash is kept."""

    keys: ApiKeyStore
    clock: Clock

    async def execute(self, role: Role) -> tuple[str, ApiKey]:
        token = new_token()
        key = ApiKey(token_sha256=token_digest(token), role=role, created_at=self.clock.now())
        await self.keys.add(key)
        return token, key
