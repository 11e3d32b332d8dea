"""The PostgreSQL error table, for failures a test database will not produce on demand: each
becomes the application's error in askdocs' words with the original as its cause, and what
means a bug in askdocs' own SQL goes on unchanged."""

from __future__ import annotations

import asyncpg
import pytest
from asyncpg.exceptions import ConnectionDoesNotExistError

from askdocs.adapters.postgres.errors import NOT_MIGRATED, translate_errors
from askdocs.application.errors import (
    AppError,
    InvalidInput,
    NotFound,
    UpstreamAuthFailed,
    UpstreamTimeout,
    UpstreamUnavailable,
)

TRANSLATED: list[tuple[BaseException, type[AppError]]] = [
    (asyncpg.NumericValueOutOfRangeError("bigint out of range"), InvalidInput),
    (asyncpg.ProgramLimitExceededError("index row size 9000 exceeds maximum"), InvalidInput),
    (asyncpg.QueryCanceledError("canceling statement due to statement timeout"), UpstreamTimeout),
    (TimeoutError("connect timed out"), UpstreamTimeout),
    (asyncpg.UndefinedTableError('relation "documents" does not exist'), UpstreamUnavailable),
    (asyncpg.UndefinedObjectError('type "vector" does not exist'), UpstreamUnavailable),
    (asyncpg.InvalidPasswordError('password authentication failed for "me"'), UpstreamAuthFailed),
    (asyncpg.InsufficientPrivilegeError("permission denied for table chunks"), UpstreamAuthFailed),
    (asyncpg.InvalidCatalogNameError('database "askdocs" does not exist'), UpstreamUnavailable),
    (asyncpg.SerializationError("could not serialize access"), UpstreamUnavailable),
    (asyncpg.DeadlockDetectedError("deadlock detected"), UpstreamUnavailable),
    (ConnectionRefusedError("Connect call failed ('127.0.0.1', 5432)"), UpstreamUnavailable),
    (ConnectionDoesNotExistError("connection was closed in the middle"), UpstreamUnavailable),
    (asyncpg.InterfaceError("pool is closed"), UpstreamUnavailable),
    (asyncpg.TooManyConnectionsError("sorry, too many clients already"), UpstreamUnavailable),
    (asyncpg.AdminShutdownError("terminating connection"), UpstreamUnavailable),
    (asyncpg.CannotConnectNowError("the database system is starting up"), UpstreamUnavailable),
    (asyncpg.ReadOnlySQLTransactionError("cannot execute INSERT here"), UpstreamUnavailable),
]

BUGS: list[BaseException] = [
    asyncpg.PostgresSyntaxError('syntax error at or near "SELEC"'),
    asyncpg.DatatypeMismatchError("column is of type integer but expression is of type text"),
    asyncpg.UniqueViolationError('duplicate key value violates unique constraint "api_keys_pkey"'),
    asyncpg.NotNullViolationError('null value in column "name" violates not-null constraint'),
    asyncpg.CheckViolationError('new row violates check constraint "pages_done_check"'),
]


def name_of(value: object) -> str:
    return value.__name__ if isinstance(value, type) else type(value).__name__


async def raised_through_translation(error: BaseException) -> BaseException:
    with pytest.raises(BaseException) as raised:  # noqa: PT011 - the type is what is checked
        async with translate_errors():
            raise error
    return raised.value


@pytest.mark.parametrize(("error", "expected"), TRANSLATED, ids=name_of)
async def test_a_database_failure_becomes_the_applications_error_in_askdocs_words(
    error: BaseException, expected: type[AppError]
) -> None:
    translated = await raised_through_translation(error)

    assert type(translated) is expected
    assert translated.__cause__ is error
    assert str(error) not in str(translated)


async def test_only_a_missing_table_or_type_is_blamed_on_the_schema() -> None:
    missing = await raised_through_translation(asyncpg.UndefinedColumnError("no column lexicon"))
    refused = await raised_through_translation(ConnectionRefusedError("refused"))

    assert str(missing) == NOT_MIGRATED
    assert "askdocs migrate" not in str(refused)


@pytest.mark.parametrize("error", BUGS, ids=name_of)
async def test_an_error_in_askdocs_own_sql_goes_on_unchanged_to_be_logged_as_a_bug(
    error: BaseException,
) -> None:
    assert await raised_through_translation(error) is error


async def test_the_applications_own_errors_pass_through_untouched() -> None:
    not_found = NotFound("document d1 not found")

    assert await raised_through_translation(not_found) is not_found
