"""What a stored API key's lookup costs per request: a PostgreSQL query every time, against
the one-second cache in front of it (`nox -s bench -- --only keys`).

Both run in one process, side by side, against a throwaway migrated schema of the local
PostgreSQL, authenticating one key `--lookups` times in a row.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from askdocs.adapters.auth.configured import ConfiguredThenStoredKeys
from askdocs.adapters.auth.postgres import PostgresApiKeyStore
from askdocs.adapters.system.clock import SystemClock
from askdocs.adapters.system.ids import RandomIdGenerator
from askdocs.application.api_keys import AuthenticateKey, CreateApiKey
from askdocs.application.ports import ApiKeyStore
from askdocs.domain.principals import Role
from tests.support.postgres import migrated_schema


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lookups", type=int, default=5000, help="lookups in --only keys")


async def _per_lookup_us(store: ApiKeyStore, token: str, lookups: int) -> float:
    authenticate = AuthenticateKey(store, SystemClock())
    started = time.perf_counter()
    for _ in range(lookups):
        await authenticate.execute(token)
    return (time.perf_counter() - started) / lookups * 1e6


async def _measure(lookups: int) -> dict[str, float]:
    schemas = migrated_schema()
    database = await schemas.__anext__()
    try:
        stored = PostgresApiKeyStore(database)
        made = await CreateApiKey(stored, SystemClock(), RandomIdGenerator()).execute(Role.READER)
        return {
            "query every request": await _per_lookup_us(stored, made.token, lookups),
            "1 s cache in front": await _per_lookup_us(
                ConfiguredThenStoredKeys((), stored), made.token, lookups
            ),
        }
    finally:
        await schemas.aclose()


def main_with(args: argparse.Namespace) -> int:
    figures = asyncio.run(_measure(args.lookups))
    print(f"API key lookups, {args.lookups} in a row, one process:")
    for name, micros in figures.items():
        print(f"  {name:22} {micros:8.1f} µs per lookup  ({1e6 / micros:10.0f} lookups/s)")
    return 0
