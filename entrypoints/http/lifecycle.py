"""What the app does at start and stop, and what readiness checks, for the selected backends."""

from __future__ import annotations

import gc
from collections.abc import Awaitable, Callable

import structlog

from askdocs.application.errors import UpstreamError
from askdocs.entrypoints.container import Container
from askdocs.entrypoints.demo import DEMO_TAG, load_demo

Hook = Callable[[], Awaitable[None]]
log = structlog.get_logger("askdocs")


def uses_database(container: Container) -> bool:
    """Whether any selected adapter keeps its data in PostgreSQL."""
    return "postgres" in (
        container.config.documents.backend(),
        container.config.index.backend(),
        container.config.jobs.backend(),
    )


def runs_worker(container: Container) -> bool:
    """Whether `serve` ingests too: always when jobs are in memory (nothing else can take
    them), otherwise only when asked to."""
    choice = container.config.worker.in_serve()
    if choice == "auto":
        return bool(container.config.jobs.backend() == "memory")
    return bool(choice == "true")


SHARED_PORTS = ("cache", "rate_limit", "conversations", "provider_health")


def uses_redis(container: Container) -> bool:
    """Whether any selected adapter shares its state through Redis."""
    return any(getattr(container.config, port).backend() == "redis" for port in SHARED_PORTS)


def startup_hooks(container: Container) -> list[Hook]:
    """Migrate at start when asked to (the advisory lock makes concurrent workers safe), then
    set the start-up heap aside from the garbage collector."""
    hooks: list[Hook] = []
    if uses_database(container) and container.config.database.migrate_on_start():

        async def migrate() -> None:
            # The `postgres` extra, installed wherever a database is selected (ADR 34).
            from askdocs.adapters.index.pg_term_refresh import refresh_terms
            from askdocs.adapters.postgres.migrations import PostgresMigrator

            applied = await PostgresMigrator(container.database()).migrate()
            log.info("migrations_applied" if applied else "schema_current", applied=applied)
            remade = await refresh_terms(container.database())
            if remade:
                log.info("chunk_terms_remade", chunks=remade)

        hooks.append(migrate)
    if not container.api_keys().has_configured_keys:

        async def first_admin_key() -> None:
            # A deployment's first start makes one admin key; later starts find it stored.
            made = await container.create_first_admin_key().execute()
            if made is not None:  # the token goes to the terminal, never through the logger
                print(f"admin API key: {made.token}", flush=True)

        hooks.append(first_admin_key)
    if container.config.server.demo():

        async def demo() -> None:
            loaded = await load_demo(container.ingest_document())
            log.info("demo_corpus_loaded", pages=loaded, tag=DEMO_TAG)

        hooks.append(demo)
    if runs_worker(container):
        worker = container.ingestion_worker()

        async def start_worker() -> None:
            worker.start()

        hooks.append(start_worker)
    hooks.append(freeze_startup_heap)
    return hooks


async def freeze_startup_heap() -> None:
    """Move everything alive after start-up (modules, the app, the container) out of the
    collector's reach.

    A full collection otherwise walks that whole heap, stalling the event loop for tens of
    milliseconds every so often: with 64 clients on two workers the p99 was 125 ms with and
    24 ms without (docs/benchmarks.md). Those objects live as long as the process anyway.
    """
    gc.collect()
    gc.freeze()


def shutdown_hooks(container: Container) -> list[Hook]:
    """Stop the in-serve worker (running jobs get the grace period), then close the pool, the
    Redis client and the JWKS client, where this process uses them."""
    hooks: list[Hook] = []
    if runs_worker(container):
        hooks.append(container.ingestion_worker().stop)
    if uses_database(container):
        hooks.append(container.database().close)
    if uses_redis(container):
        hooks.append(container.redis().close)
    if (verifier := container.bearer_tokens()) is not None:
        hooks.append(verifier.aclose)
    return hooks


class Readiness:
    """Each selected backend that lives outside the process, checked on demand.

    The database is critical: nothing works without it. Redis is not, unless rate limits fail
    closed: without it answers lose their cache and memory but are still given, so taking every
    replica out of a load balancer because Redis is down would turn a degradation into an outage.
    """

    def __init__(
        self, checks: dict[str, Hook], embedded: list[str], critical: frozenset[str]
    ) -> None:
        self._checks = checks
        self._embedded = embedded
        self._critical = critical

    @classmethod
    def of(cls, container: Container) -> Readiness:
        checks: dict[str, Hook] = {}
        critical = set()
        if uses_database(container):
            checks["database"] = container.database().ping
            critical.add("database")
        if uses_redis(container):
            checks["redis"] = container.redis().ping
            if not container.config.rate_limit.fail_open():
                critical.add("redis")
        embedded = [
            name
            for name in ("documents", "index", *SHARED_PORTS)
            if getattr(container.config, name).backend() == "memory"
        ]
        return cls(checks, embedded, frozenset(critical))

    async def report(self) -> tuple[str, dict[str, str]]:
        """("ok" | "degraded" | "unavailable", check name -> "ok" | "unavailable" | "memory")."""
        results = dict.fromkeys(self._embedded, "memory")
        failed: set[str] = set()
        for name, check in self._checks.items():
            try:
                await check()
            except UpstreamError:
                results[name] = "unavailable"
                failed.add(name)
            else:
                results[name] = "ok"
        if failed & self._critical:
            return "unavailable", results
        return ("degraded" if failed else "ok"), results
