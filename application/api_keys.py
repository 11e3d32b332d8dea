"""API keys that are stored only as hashes: authenticate, create, list, revoke, and the first
admin key of a deployment."""

from __future__ import annotations

import dataclasses
import secrets
from datetime import datetime

from askdocs.application.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from askdocs.application.ports import ApiKeyStore, Clock, IdGenerator
from askdocs.domain.principals import MAX_KEY_NAME_CHARS, ApiKey, Principal, Role, token_digest

TOKEN_PREFIX = "askd_"  # noqa: S105 - a public marker, not a secret
USE_RECORDING_INTERVAL_S = 60.0
"""`last_used_at` is written at most this often per key and process: a write per request
would cost more than the lookup it records."""


def new_token() -> str:
    """A 256-bit random token, URL-safe, recognisable by its prefix in leaked-secret scans."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


@dataclasses.dataclass(slots=True)
class AuthenticateKey:
    """Find the principal behind a presented token.

    Raises:
        Unauthenticated: the token is empty, unknown, revoked or expired.
    """

    keys: ApiKeyStore
    clock: Clock
    _recorded: dict[str, float] = dataclasses.field(default_factory=dict)

    async def execute(self, token: str) -> Principal:
        if not token:
            raise Unauthenticated("an API key is required")
        digest = token_digest(token)
        key = await self.keys.find(digest)
        now = self.clock.now()
        if key is None or not key.usable_at(now):
            raise Unauthenticated("the API key is not valid")
        if key.id is not None:
            await self._record_use(digest, now)
        return key.principal()

    async def _record_use(self, digest: str, now: datetime) -> None:
        moment = now.timestamp()
        if moment - self._recorded.get(digest, float("-inf")) >= USE_RECORDING_INTERVAL_S:
            self._recorded[digest] = moment
            await self.keys.record_use(digest, now)


@dataclasses.dataclass(frozen=True, slots=True)
class NewKey:
    """A key just made, and its token: the only time the token exists outside its holder."""

    token: str
    key: ApiKey


@dataclasses.dataclass(frozen=True, slots=True)
class CreateApiKey:
    """Make a new key for a role; the token is returned once and only its hash is kept.

    Raises:
        InvalidInput: a name over MAX_KEY_NAME_CHARS or with control characters, or an expiry
            that is not in the future.
    """

    keys: ApiKeyStore
    clock: Clock
    ids: IdGenerator

    async def execute(
        self, role: Role, *, name: str = "", expires_at: datetime | None = None
    ) -> NewKey:
        made = self.make(role, name=name, expires_at=expires_at)
        await self.keys.add(made.key)
        return made

    def make(self, role: Role, *, name: str = "", expires_at: datetime | None = None) -> NewKey:
        """The key and its token, not yet stored."""
        now = self.clock.now()
        name = name.strip()
        if len(name) > MAX_KEY_NAME_CHARS or not name.isprintable():
            raise InvalidInput(f"a key name is up to {MAX_KEY_NAME_CHARS} printable characters")
        if expires_at is not None and expires_at <= now:
            raise InvalidInput("a key's expiry must be in the future")
        token = new_token()
        key = ApiKey(
            token_sha256=token_digest(token),
            role=role,
            created_at=now,
            id=self.ids.new_id(),
            name=name,
            expires_at=expires_at,
        )
        return NewKey(token, key)


@dataclasses.dataclass(frozen=True, slots=True)
class ListApiKeys:
    """Every key, revoked and expired ones too, newest first; never a token."""

    keys: ApiKeyStore

    async def execute(self) -> list[ApiKey]:
        return await self.keys.list()


@dataclasses.dataclass(frozen=True, slots=True)
class RevokeApiKey:
    """Revoke a key by its id; it stops working on every process within a second.

    Raises:
        NotFound: no key has this id.
        Conflict: the key is one of the settings' (ASKDOCS_AUTH__API_KEYS), managed there.
    """

    keys: ApiKeyStore
    clock: Clock

    async def execute(self, key_id: str) -> ApiKey:
        if key_id.startswith(SETTINGS_KEY_ID_PREFIX):
            raise Conflict("this key is given in ASKDOCS_AUTH__API_KEYS: remove it there")
        revoked = await self.keys.revoke(key_id, self.clock.now())
        if revoked is None:
            raise NotFound(f"no API key {key_id}")
        return revoked


SETTINGS_KEY_ID_PREFIX = "settings:"
"""How keys from the settings are listed: they have no stored id."""


@dataclasses.dataclass(frozen=True, slots=True)
class CreateFirstAdminKey:
    """The first admin key of a deployment whose key store holds no usable key, or None.

    Across processes starting together exactly one makes it (the store decides atomically),
    so it is printed once, and never again on later starts.
    """

    create: CreateApiKey
    keys: ApiKeyStore

    async def execute(self) -> NewKey | None:
        made = self.create.make(Role.ADMIN, name="first admin key")
        stored = await self.keys.add(made.key, only_if_none_usable=True)
        return made if stored else None
