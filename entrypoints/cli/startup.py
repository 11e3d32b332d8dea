"""What a command checks before it starts, and how a failure to start reads: one line that
names the cause and what to do, with exit status 2 for a configuration to fix and 1 for a
service that failed (a database down, a login refused).

A database that cannot be reached at start stops the command at once: `serve` would otherwise
start and answer 503 to everything, and `worker` would retry forever, both with nothing on the
terminal to say why. Once running, an outage degrades instead (503s, readiness, reconnects).
"""

from __future__ import annotations

import asyncio
import errno
import socket
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

from askdocs.application.errors import AppError, UpstreamTimeout
from askdocs.entrypoints.extras import require
from askdocs.entrypoints.settings import SettingsError, load_settings

if TYPE_CHECKING:
    from askdocs.adapters.postgres.database import PostgresDatabase

CONFIGURATION_ERROR = 2
"""Exit status for a command line or settings that cannot work (argparse uses it too)."""
RUNTIME_ERROR = 1
"""Exit status for a service askdocs needs that failed."""
CONNECT_TIMEOUT_S = 10.0
WAIT_RETRY_S = 1.0
"""Seconds between tries while a command waits for its database (`migrate --wait`)."""
DATABASE_SETTING = "ASKDOCS_DATABASE__URL"
T = TypeVar("T")


class StartupFailure(Exception):
    """A command cannot start: `message` is the one line to print, `exit_status` its code."""

    def __init__(self, message: str, *, exit_status: int = RUNTIME_ERROR) -> None:
        super().__init__(message)
        self.message = message
        self.exit_status = exit_status


def configuration_checked(build: Callable[[], T]) -> T:
    """`build()`, with a ValueError it raises as a SettingsError: adapters refuse impossible
    settings (an embedder without a model, a too short JWT secret) with ValueError when they
    are built, and that is a configuration to fix, not a crash."""
    try:
        return build()
    except SettingsError:
        raise
    except ValueError as exc:
        raise SettingsError(str(exc)) from exc


def one_connection(url: str) -> PostgresDatabase:
    """A pool of one connection to `url` for a command's errand (a check, migrations, keys),
    its statements bounded by `database.command_timeout_s` like the server's."""
    timeout_s = load_settings().database.command_timeout_s
    from askdocs.adapters.postgres.database import PostgresDatabase  # the `postgres` extra

    # No search runs on it, so its connections need none of the HNSW session settings.
    return PostgresDatabase(
        url, min_size=1, max_size=1, command_timeout_s=timeout_s, server_settings=None
    )


def check_database(url: str, *, migrated: bool = True, wait_s: float = 0.0) -> None:
    """Connect once to the database at `url` and, when it should be `migrated`, see that no
    migration is pending; StartupFailure saying what is wrong.

    With `wait_s`, a database that cannot be reached yet (unknown host, refused, still starting
    up, no answer) is tried again each second for that long: a stack started all at once
    (compose) brings PostgreSQL up beside the command, not before it. A refused login, a
    missing database or a bad URL fails at once: waiting would not mend them.
    """
    if not url:
        raise StartupFailure(
            f"set {DATABASE_SETTING} to a PostgreSQL URL", exit_status=CONFIGURATION_ERROR
        )
    require("postgres", DATABASE_SETTING)
    from askdocs.adapters.postgres.migrations import PostgresMigrator

    async def pending() -> list[str]:
        database = one_connection(url)
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT_S):
                await database.ping()
                return await PostgresMigrator(database).pending() if migrated else []
        finally:
            await database.close()

    deadline = time.monotonic() + wait_s
    waited = False
    while True:
        try:
            missing = asyncio.run(pending())
            break
        except TimeoutError as exc:
            failure = database_failure(url, UpstreamTimeout("no answer"))
            failure.__cause__ = exc
        except AppError as exc:
            failure = database_failure(url, exc)
            failure.__cause__ = exc
            if not _may_come_up(exc):
                raise failure from exc
        if time.monotonic() + WAIT_RETRY_S > deadline:
            raise failure
        if not waited:
            print(f"waiting up to {wait_s:g} s for PostgreSQL: {failure.message}", flush=True)
            waited = True
        time.sleep(WAIT_RETRY_S)
    if missing:
        raise StartupFailure(
            f"the database at {_where(url)} lacks {len(missing)} migration(s) of this version "
            "of askdocs: run `askdocs migrate` (or set ASKDOCS_DATABASE__MIGRATE_ON_START=true)"
        )


def check_listening(host: str, port: int) -> None:
    """Bind `host:port` once and let it go: a port in use or an address this machine does not
    have is one line now, not an error logged by the server after it has started."""
    try:
        family, kind, _, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
            probe.bind(address)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if exc.errno == errno.EADDRINUSE:
            raise StartupFailure(
                f"cannot listen on {host}:{port} ({reason}): stop what listens there or "
                "choose another port (--port, ASKDOCS_SERVER__PORT)"
            ) from exc
        raise StartupFailure(
            f"cannot listen on {host}:{port} ({reason}): choose an address of this machine "
            "(--host, ASKDOCS_SERVER__HOST)",
            exit_status=CONFIGURATION_ERROR,
        ) from exc


def database_failure(url: str, error: AppError) -> StartupFailure:
    """The line for a database that failed `error`, from its cause (the driver's words)."""
    import asyncpg  # the `postgres` extra, there whenever a database was tried

    where = _where(url)
    cause = error.__cause__
    if isinstance(cause, asyncpg.InvalidPasswordError):
        return StartupFailure(
            f"PostgreSQL at {where} refused the login ({cause}): "
            f"check the user and password in {DATABASE_SETTING}"
        )
    if isinstance(cause, asyncpg.InvalidAuthorizationSpecificationError):
        return StartupFailure(
            f"PostgreSQL at {where} refused the login ({cause}): create that role (see "
            f"PostgreSQL in the README) or name another in {DATABASE_SETTING}"
        )
    if isinstance(cause, asyncpg.InvalidCatalogNameError):
        return StartupFailure(
            f"PostgreSQL at {where}: {cause}: create it (see PostgreSQL in the README) or "
            f"name another in {DATABASE_SETTING}"
        )
    if isinstance(cause, asyncpg.exceptions.ClientConfigurationError):
        return StartupFailure(
            f"{DATABASE_SETTING} is not a usable PostgreSQL URL: {cause}",
            exit_status=CONFIGURATION_ERROR,
        )
    unreachable = _unreachable(error)
    if unreachable is not None:
        reason, hint = unreachable
        return StartupFailure(f"cannot reach PostgreSQL at {where} ({reason}): {hint}")
    return StartupFailure(f"PostgreSQL at {where}: {error.detail}: check {DATABASE_SETTING}")


def _may_come_up(error: AppError) -> bool:
    """Whether a database that failed with `error` may answer a moment later: not reached at
    all, or reached while it starts or stops (SQLSTATE 57P03)."""
    import asyncpg

    return _unreachable(error) is not None or isinstance(
        error.__cause__, asyncpg.CannotConnectNowError
    )


def _unreachable(error: AppError) -> tuple[str, str] | None:
    """Why the server could not be reached, and what to check; None if it was reached."""
    cause = error.__cause__
    running = f"is it running? set {DATABASE_SETTING}"
    if isinstance(error, UpstreamTimeout):
        return f"no answer within {CONNECT_TIMEOUT_S:g} s", running
    if isinstance(cause, socket.gaierror):
        return "unknown host", f"check the host in {DATABASE_SETTING}"
    if isinstance(cause, ConnectionRefusedError) or f"[Errno {errno.ECONNREFUSED}]" in str(cause):
        return "connection refused", running  # asyncio joins the errors of every address tried
    if isinstance(cause, OSError):
        return cause.strerror or str(cause), running
    return None


def _where(url: str) -> str:
    """host:port of `url`, never its user or password."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return "the configured address"
    return f"{host or 'localhost'}:{port or 5432}"
