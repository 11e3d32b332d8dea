"""API keys managed while askdocs runs (admins): create (the token shown once), list, revoke."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec
from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from askdocs.application.api_keys import (
    SETTINGS_KEY_ID_PREFIX,
    CreateApiKey,
    ListApiKeys,
    RevokeApiKey,
)
from askdocs.application.errors import InvalidInput
from askdocs.domain.principals import ApiKey, Role
from askdocs.entrypoints.http.openapi import JSON_BODY, documented
from askdocs.entrypoints.http.schemas import Out, Strict
from askdocs.entrypoints.http.security import requires


class KeyBody(Strict, frozen=True):
    role: Literal["reader", "editor", "admin"]
    name: str = ""
    expires_at: datetime | None = None


class KeyOut(Out, frozen=True):
    id: str
    prefix: str
    name: str
    role: str
    source: Literal["stored", "settings"]
    created_at: datetime | None
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> KeyOut:
        key_id = key.id or ""
        return cls(
            id=key_id,
            prefix=key.prefix,
            name=key.name,
            role=key.role.value,
            source="settings" if key_id.startswith(SETTINGS_KEY_ID_PREFIX) else "stored",
            created_at=key.created_at,
            expires_at=key.expires_at,
            last_used_at=key.last_used_at,
            revoked_at=key.revoked_at,
        )


class KeyCreatedOut(KeyOut, frozen=True):
    token: str
    """The key itself: shown this once, stored nowhere."""


class KeyListOut(Out, frozen=True):
    items: list[KeyOut] = msgspec.field(default_factory=list)


class KeyController(Controller):
    """Key lifecycle; every route needs the admin role."""

    path = "/api/v1/keys"
    tags = ["keys"]
    guards = [requires(Role.ADMIN)]
    request_max_body_size = 4 * 1024

    @post("/", status_code=201, **documented(*JSON_BODY, 403))
    async def create(
        self, data: JSONBody[KeyBody], create_api_key: NamedDependency[CreateApiKey]
    ) -> KeyCreatedOut:
        """A new key for `role`, optionally named and expiring (`expires_at`, RFC 3339 with a
        time zone). 201 with the token, which is never shown again."""
        if data.expires_at is not None and data.expires_at.tzinfo is None:
            raise InvalidInput("expires_at needs a time zone (e.g. 2027-01-31T00:00:00Z)")
        made = await create_api_key.execute(
            Role(data.role), name=data.name, expires_at=data.expires_at
        )
        listed = KeyOut.of(made.key)
        return KeyCreatedOut(**msgspec.structs.asdict(listed), token=made.token)

    @get("/", **documented(403))
    async def list_keys(self, list_api_keys: NamedDependency[ListApiKeys]) -> KeyListOut:
        """Every key, newest first, revoked and expired ones too, and those given in
        ASKDOCS_AUTH__API_KEYS (`source: settings`); never a token."""
        return KeyListOut(items=[KeyOut.of(key) for key in await list_api_keys.execute()])

    @delete("/{key_id:str}", status_code=204, **documented(403, 404, 409))
    async def revoke(
        self, key_id: FromPath[str], revoke_api_key: NamedDependency[RevokeApiKey]
    ) -> None:
        """Revoke a key: refused within a second on every process. 404 for an unknown id, 409
        for a key given in the settings."""
        await revoke_api_key.execute(key_id)
