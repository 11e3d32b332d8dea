"""What the app does at start and stop, and what readiness checks, for the selected backends."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog

from askdocs.adapters.postgres.migrations import PostgresMigrator
from askdocs.application.errors import UpstreamError
from askdocs.entrypoints.container import Container

Hook = Callable[[], Awaitable[None]]
log = structlog.get_logger("askdocs")


def uses_database(container: Container) -> bool:
    """Whether any selected adapter keeps its data in PostgreSQL."""
    return "postgres" in (container.config.documents.backend(), container.config.index.backend())


def startup_hooks(container: Container) -> list[Hook]:
    """Migrate at start when asked to (the advisory lock makes concurrent workers safe)."""
    if not (uses_database(container) and container.config.database.migrate_on_start()):
        return []

    async def migrate() -> None:
        applied = await PostgresMigrator(container.database()).migrate()
        log.info("migrations_applied" if applied else "schema_current", applied=applied)

    return [migrate]


def shutdown_hooks(container: Container) -> list[Hook]:
    """Close the pool, if this process ever opened one."""
    return [container.database().close] if uses_database(container) else []


class Readiness:
    """Each selected backend that lives outside the process, checked on demand."""

    def __init__(self, checks: dict[str, Hook], embedded: list[str]) -> None:
        self._checks = checks
        self._embedded = embedded

    @classmethod
    def of(cls, container: Container) -> Readiness:
        checks: dict[str, Hook] = {}
        if uses_database(container):
            checks["database"] = container.database().ping
        embedded = [
            name
            for name in ("documents", "index", "cache", "rate_limit", "conversations")
            if getattr(container.config, name).backend() == "memory"
        ]
        return cls(checks, embedded)

    async def report(self) -> tuple[bool, dict[str, str]]:
        """(all ready, check name -> "ok" | "unavailable" | "memory")."""
        results = dict.fromkeys(self._embedded, "memory")
        ready = True
        for name, check in self._checks.items():
            try:
                await check()
            except UpstreamError:
                results[name], ready = "unavailable", False
            else:
                results[name] = "ok"
        return ready, results
