"""Principals, roles, API keys, and what verified bearer tokens grant."""

from __future__ import annotations

import dataclasses
import enum
import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime


class Role(enum.StrEnum):
    """What a principal may do; each role includes the ones before it."""

    READER = "reader"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, required: Role) -> bool:
        return self.rank >= required.rank


@dataclasses.dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a stable subject (never the secret) and a role."""

    subject: str
    role: Role


MAX_KEY_NAME_CHARS = 100


@dataclasses.dataclass(frozen=True, slots=True)
class ApiKey:
    """A stored API key: the SHA-256 of the token, never the token.

    `id` names the key where it is listed and revoked; keys given in the settings have none
    (they are managed there). `name` says whom or what it is for.
    """

    token_sha256: str
    role: Role
    created_at: datetime | None = None
    revoked_at: datetime | None = None
    id: str | None = None
    name: str = ""
    expires_at: datetime | None = None
    last_used_at: datetime | None = None

    @property
    def prefix(self) -> str:
        return self.token_sha256[:12]

    def principal(self) -> Principal:
        return Principal(subject=f"key:{self.prefix}", role=self.role)

    def usable_at(self, now: datetime) -> bool:
        """Neither revoked nor expired at `now`."""
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


def token_digest(token: str) -> str:
    """The SHA-256 under which a key's token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclasses.dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a verified bearer token says of its holder: who issued it, whom it names, and the
    grants (roles or scopes) the issuer gave them."""

    issuer: str
    subject: str
    grants: tuple[str, ...]

    @property
    def principal_subject(self) -> str:
        """`jwt:<issuer>#<subject>`: stable across the holder's tokens, distinct across
        issuers, and never the token itself. An issuer is a URL without a fragment, so the
        `#` cannot be ambiguous."""
        return f"jwt:{self.issuer}#{self.subject}"


@dataclasses.dataclass(frozen=True, slots=True)
class RoleMap:
    """Which role each grant an identity provider issues confers; a holder of several mapped
    grants gets the highest of their roles."""

    roles: Mapping[str, Role]

    def role_for(self, grants: Iterable[str]) -> Role | None:
        """The highest role the grants confer, or None when none of them is mapped."""
        conferred = [self.roles[grant] for grant in grants if grant in self.roles]
        return max(conferred, key=lambda role: role.rank, default=None)
