"""`askdocs db status`: migrations applied and pending, ingestion jobs waiting or running,
and documents by the status of their newest version, in ASKDOCS_DATABASE__URL."""

from __future__ import annotations

import asyncio

from askdocs.adapters.postgres.status import DatabaseStatus, database_status
from askdocs.application.errors import UpstreamError
from askdocs.entrypoints.cli.startup import check_database, database_failure
from askdocs.entrypoints.container import build_container
from askdocs.entrypoints.infrastructure import services_closed_after
from askdocs.entrypoints.settings import Settings, load_settings


async def _read(settings: Settings) -> DatabaseStatus:
    async with services_closed_after(build_container(settings), "database") as container:
        return await database_status(container.database())


def run() -> int:
    """Print the report; exit 0 whenever the database answered, pending migrations or not.

    Raises:
        SettingsError: a setting that cannot work. StartupFailure: no database (status 2), or
            it cannot be used (status 1).
    """
    settings = load_settings()
    url = settings.database.url
    check_database(url, migrated=False)
    try:
        status = asyncio.run(_read(settings))
    except UpstreamError as exc:
        raise database_failure(url, exc) from exc
    print("\n".join(report_lines(status)))
    return 0


def report_lines(status: DatabaseStatus) -> list[str]:
    """The report as printed, one line per subject."""
    lines = [f"migrations: {len(status.applied)} applied, {len(status.pending)} pending"]
    if status.pending:
        lines.append(f"  pending: {', '.join(status.pending)} (run `askdocs migrate`)")
    lines.append(f"jobs: {_counts(status.jobs)}")
    lines.append(f"documents: {_counts(status.documents)}")
    return lines


def _counts(by_status: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in by_status.items()) or "none"
