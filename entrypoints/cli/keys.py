"""`askdocs keys create | list | revoke`: API keys, against a running server or the database.

Where they go, in order: a server (`--url` or ASKDOCS_URL, with an admin key in
ASKDOCS_API_KEY), else the database (ASKDOCS_DATABASE__URL) directly. With neither, `create`
prints a key and the ASKDOCS_AUTH__API_KEYS entry that enables it (for automation that sets
keys in the environment); `list` and `revoke` need one of the two.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from askdocs.adapters.system.clock import SystemClock
from askdocs.adapters.system.ids import RandomIdGenerator
from askdocs.application.api_keys import CreateApiKey, ListApiKeys, RevokeApiKey, new_token
from askdocs.application.errors import AppError, UpstreamError
from askdocs.domain.principals import ApiKey, Role, token_digest
from askdocs.entrypoints.cli.startup import check_database, database_failure
from askdocs.entrypoints.container import build_container
from askdocs.entrypoints.infrastructure import services_closed_after
from askdocs.entrypoints.settings import load_settings

if TYPE_CHECKING:
    from askdocs.adapters.auth.postgres import PostgresApiKeyStore

T = TypeVar("T")
TIMEOUT_S = 30.0
_COLUMNS = ("id", "prefix", "role", "name", "created_at", "last_used_at", "expires_at", "state")


def create(role: Role, *, name: str, expires_in_days: int | None, url: str | None) -> int:
    expires_at = datetime.now(UTC) + timedelta(days=expires_in_days) if expires_in_days else None
    if url:
        body: dict[str, Any] = {"role": role.value, "name": name}
        if expires_at:
            body["expires_at"] = expires_at.isoformat()
        made = _call_server(url, "POST", "/api/v1/keys", json=body)
        if made is None:
            return 1
        print(f"{role.value} API key: {made['token']}")
        print(f"id: {made['id']} (shown with `askdocs keys list`; the key itself is not)")
        return 0
    database_url = load_settings().database.url
    if database_url:
        created = _in_database(
            database_url,
            lambda store: CreateApiKey(store, SystemClock(), RandomIdGenerator()).execute(
                role, name=name, expires_at=expires_at
            ),
        )
        if created is None:
            return 1
        print(f"{role.value} API key: {created.token}")
        print(f"id: {created.key.id} (stored in the database; it works at once)")
        return 0
    token = new_token()
    print(f"{role.value} API key: {token}")
    print("Keep it secret; askdocs stores only its hash. To enable it, add this entry to")
    print(f"ASKDOCS_AUTH__API_KEYS (comma-separated): {token_digest(token)}:{role.value}")
    return 0


def list_keys(*, url: str | None) -> int:
    if url:
        listed = _call_server(url, "GET", "/api/v1/keys")
        if listed is None:
            return 1
        rows = [_row_of_json(item) for item in listed["items"]]
    else:
        database_url = _database_url_or_complain("list")
        if database_url is None:
            return 2
        keys = _in_database(database_url, lambda store: ListApiKeys(store).execute())
        if keys is None:
            return 1
        rows = [_row_of_key(key) for key in keys]
    print("\t".join(_COLUMNS))
    for row in rows:
        print("\t".join(row))
    return 0


def revoke(key_id: str, *, url: str | None) -> int:
    if url:
        done = _call_server(url, "DELETE", f"/api/v1/keys/{key_id}")
        if done is None:
            return 1
    else:
        database_url = _database_url_or_complain("revoke")
        if database_url is None:
            return 2
        revoked = _in_database(
            database_url, lambda store: RevokeApiKey(store, SystemClock()).execute(key_id)
        )
        if revoked is None:
            return 1
    print(f"revoked {key_id}: refused everywhere within a second")
    return 0


def _call_server(url: str, method: str, path: str, **options: Any) -> Any:
    headers = {"X-API-Key": os.environ.get("ASKDOCS_API_KEY", "")}
    try:
        response = httpx.request(method, url + path, headers=headers, timeout=TIMEOUT_S, **options)
    except httpx.HTTPError as exc:
        print(f"askdocs keys: {url} could not be reached: {exc}", file=sys.stderr)
        return None
    if response.is_error:
        try:
            detail = response.json().get("detail")
        except ValueError:
            detail = response.text[:200]
        print(f"askdocs keys: HTTP {response.status_code}: {detail}", file=sys.stderr)
        return None
    return response.json() if response.content else {}


def _in_database(database_url: str, use: Callable[[PostgresApiKeyStore], Awaitable[T]]) -> T | None:
    check_database(database_url)  # StartupFailure: unreachable, refused, not migrated
    # The `postgres` extra, which check_database found installed; `--url` needs none of it.
    from askdocs.adapters.auth.postgres import PostgresApiKeyStore

    async def run() -> T:
        container = build_container(load_settings())
        async with services_closed_after(container, "database"):
            return await use(PostgresApiKeyStore(container.database()))

    try:
        return asyncio.run(run())
    except UpstreamError as exc:
        print(f"askdocs keys: {database_failure(database_url, exc).message}", file=sys.stderr)
        return None
    except AppError as exc:
        print(f"askdocs keys: {exc.detail or type(exc).__name__}", file=sys.stderr)
        return None


def _database_url_or_complain(command: str) -> str | None:
    database_url = load_settings().database.url
    if not database_url:
        print(
            f"askdocs keys {command}: name a server (--url or ASKDOCS_URL, admin key in "
            "ASKDOCS_API_KEY) or a database (ASKDOCS_DATABASE__URL)",
            file=sys.stderr,
        )
    return database_url or None


def _state(revoked: object, expires_at: datetime | None) -> str:
    if revoked:
        return "revoked"
    if expires_at is not None and expires_at <= datetime.now(UTC):
        return "expired"
    return "active"


def _row_of_key(key: ApiKey) -> list[str]:
    return [key.id or "", key.prefix, key.role.value, key.name,
            *(_when(t) for t in (key.created_at, key.last_used_at, key.expires_at)),
            _state(key.revoked_at, key.expires_at)]  # fmt: skip


def _row_of_json(item: dict[str, Any]) -> list[str]:
    expires = datetime.fromisoformat(item["expires_at"]) if item["expires_at"] else None
    return [item["id"], item["prefix"], item["role"], item["name"],
            *(item[f] or "-" for f in ("created_at", "last_used_at", "expires_at")),
            _state(item["revoked_at"], expires)]  # fmt: skip


def _when(moment: datetime | None) -> str:
    return moment.isoformat() if moment else "-"
