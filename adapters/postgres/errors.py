"""The one table that turns asyncpg's and PostgreSQL's errors into the application's errors.

`PostgresDatabase.connection()` and `.transaction()` translate inside their context managers,
so every adapter that reaches the database through them is covered without asking; code that
opens a connection of its own (the job queue's LISTEN connection) uses `translate_errors`.

Details are askdocs' own words: PostgreSQL's message names tables, values and settings that
are no business of an HTTP client, so it stays on the chained cause, for the log.

What is left out on purpose is what can only mean askdocs' own SQL or code is wrong: a syntax
error, mismatched types, an integrity or CHECK violation (askdocs' writes use ON CONFLICT and
its domain keeps the invariants the constraints repeat), a feature or state the statements
should not have met. Those propagate unchanged, to be logged with their stack as a 500 by the
HTTP layer, since an UpstreamError would tell the client to try again and the operator
nothing (ADR 28).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg
from asyncpg.exceptions import InvalidCachedStatementError, OutdatedSchemaCacheError

from askdocs.application.errors import (
    AppError,
    InvalidInput,
    UpstreamAuthFailed,
    UpstreamTimeout,
    UpstreamUnavailable,
)

NOT_MIGRATED = "the database schema is missing or out of date: run `askdocs migrate`"

_Row = tuple[tuple[type[BaseException], ...], type[AppError], str]

TRANSLATIONS: tuple[_Row, ...] = (
    (
        (asyncpg.DataError,),  # class 22, and arguments asyncpg cannot encode
        InvalidInput,
        "a value is out of range or not in a form the database can store",
    ),
    (
        (asyncpg.ProgramLimitExceededError,),  # class 54: an index row or tsvector too large
        InvalidInput,
        "a value is larger than the database can store",
    ),
    (
        # Before OSError: TimeoutError is one. 57014 is statement_timeout or a cancel.
        (TimeoutError, asyncpg.QueryCanceledError),
        UpstreamTimeout,
        "the database did not answer in time",
    ),
    (
        # askdocs' statements are tested against the migrated schema, so a table, column,
        # type (vector) or function (pgvector's operators) the server lacks means the schema
        # is behind the code, not that the SQL is wrong.
        (
            asyncpg.UndefinedTableError,
            asyncpg.UndefinedColumnError,
            asyncpg.UndefinedObjectError,
            asyncpg.UndefinedFunctionError,
            asyncpg.InvalidSchemaNameError,
        ),
        UpstreamUnavailable,
        NOT_MIGRATED,
    ),
    (
        (asyncpg.InvalidAuthorizationSpecificationError, asyncpg.InsufficientPrivilegeError),
        UpstreamAuthFailed,
        "the database refused askdocs' role: check the user in database.url and its grants",
    ),
    (
        (asyncpg.InvalidCatalogNameError,),
        UpstreamUnavailable,
        "the database named in database.url does not exist",
    ),
    (
        # Serialization failures and deadlocks, and a plan cached before a schema change:
        # the same request succeeds when sent again. Retrying here would mean replaying the
        # caller's whole transaction, which only the caller knows.
        (asyncpg.TransactionRollbackError, InvalidCachedStatementError, OutdatedSchemaCacheError),
        UpstreamUnavailable,
        "the database abandoned a transaction that met a concurrent change; try again",
    ),
    (
        (
            OSError,  # refused, reset, unreachable host
            asyncpg.PostgresConnectionError,  # class 08
            asyncpg.InterfaceError,  # a connection or pool already closed
            asyncpg.OperatorInterventionError,  # class 57: shutting down, starting up
            asyncpg.InsufficientResourcesError,  # class 53: connections, memory, disk
            asyncpg.ReadOnlySQLTransactionError,  # database.url leads to a standby
            asyncpg.InternalServerError,  # class XX: the server's own fault
        ),
        UpstreamUnavailable,
        "the database cannot be reached or cannot serve requests now",
    ),
)
"""(what asyncpg raises, what it becomes, the detail); the first row that matches wins."""


def application_error(error: BaseException) -> AppError | None:
    """The application error `error` stands for; None for an error that means a bug."""
    for raised, translated, detail in TRANSLATIONS:
        if isinstance(error, raised):
            return translated(detail)
    return None


@contextlib.asynccontextmanager
async def translate_errors() -> AsyncIterator[None]:
    """Raise the application's error for any database failure inside, keeping the cause."""
    try:
        yield
    except Exception as exc:
        translated = application_error(exc)
        if translated is None:
            raise
        raise translated from exc
