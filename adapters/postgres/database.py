"""PostgresDatabase: one lazily opened asyncpg pool per process, with pgvector's binary codec.

Nothing connects at import or construction time: the pool opens on first use. Every driver
error raised while opening the pool or inside `connection()` / `transaction()` leaves through
`translate_errors` (`askdocs.adapters.postgres.errors`), so adapters cannot forget it.
"""

from __future__ import annotations

import asyncio
import contextlib
import types
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from pgvector.asyncpg import register_vector

from askdocs.adapters.postgres.errors import translate_errors

if TYPE_CHECKING:
    Connection: TypeAlias = PoolConnectionProxy[asyncpg.Record]
else:  # the proxy is generic only in the type stubs
    Connection = PoolConnectionProxy


async def _prepare_connection(connection: asyncpg.Connection[asyncpg.Record]) -> None:
    # A database not migrated yet has no vector type; `askdocs migrate` must still connect.
    # The migrator expires such connections once it has created the type.
    with contextlib.suppress(ValueError):
        await register_vector(connection)


async def _return_to_pool(connection: asyncpg.Connection[asyncpg.Record]) -> None:
    """Make a released connection fit for the next user, without a round trip when it is.

    asyncpg's default reset sends `pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET
    ALL` on every release: a round trip per request (about 0.3 ms of a 1 ms search). askdocs
    leaves no session state behind: settings are SET LOCAL or the pool's own
    `server_settings` (which RESET ALL would restore anyway), cursors live in transactions,
    nothing LISTENs, and the one session advisory lock (migrations) is released by its
    holder. What can be left is an open transaction, after a failure: it is rolled back.
    """
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


class PostgresDatabase:
    """A pool opened on first use; `close` at shutdown."""

    def __init__(
        self,
        url: str,
        *,
        min_size: int,
        max_size: int,
        command_timeout_s: float,
        server_settings: dict[str, str] | None,
    ) -> None:
        self.url = url
        self._min_size, self._max_size = min_size, max_size
        self._command_timeout_s = command_timeout_s
        self._server_settings = dict(server_settings or {})
        self._pool: asyncpg.Pool | None = None
        self._lock = asyncio.Lock()

    @property
    def server_settings(self) -> Mapping[str, str]:
        """The settings every connection of the pool starts with (and returns to on release)."""
        return types.MappingProxyType(self._server_settings)

    async def pool(self) -> asyncpg.Pool:
        """The pool, opened now if this is the first use."""
        if self._pool is None:
            async with self._lock:
                if self._pool is None:
                    async with translate_errors():
                        self._pool = await asyncpg.create_pool(
                            self.url,
                            init=_prepare_connection,
                            reset=_return_to_pool,
                            min_size=self._min_size,
                            max_size=self._max_size,
                            command_timeout=self._command_timeout_s,
                            server_settings=self._server_settings,
                        )
        return self._pool

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        """A pooled connection; a database failure inside leaves as the application's error."""
        pool = await self.pool()
        async with translate_errors(), pool.acquire() as connection:
            yield connection

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """A pooled connection inside one transaction."""
        async with self.connection() as connection, connection.transaction():
            yield connection

    async def ping(self) -> None:
        """Raise UpstreamUnavailable unless the database answers a trivial query."""
        async with self.connection() as connection:
            await connection.fetchval("SELECT 1")

    async def close(self) -> None:
        """Close the pool if it was ever opened."""
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
