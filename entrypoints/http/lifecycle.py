"""What the app does at start and stop, for the selected backends (`INFRASTRUCTURE`)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable

import structlog

from askdocs.entrypoints.container import Container
from askdocs.entrypoints.demo import DEMO_TAG, load_demo
from askdocs.entrypoints.infrastructure import closers, uses

Hook = Callable[[], Awaitable[None]]
log = structlog.get_logger("askdocs")


def runs_worker(container: Container) -> bool:
    """Whether `serve` ingests too: unless `worker.in_serve=false` (ADR 33)."""
    return container.settings().worker.in_serve == "true"


def startup_hooks(container: Container) -> list[Hook]:
    """Migrate at start when asked to (the advisory lock makes concurrent workers safe), then
    set the start-up heap aside from the garbage collector."""
    hooks: list[Hook] = []
    settings = container.settings()
    if uses(settings, "database") and settings.database.migrate_on_start:

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
    if settings.server.demo:

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
    Redis client, the metrics backend (which sends what it holds) and the JWKS client, where
    this process uses them; last, export the spans still queued."""
    hooks: list[Hook] = []
    if runs_worker(container):
        hooks.append(container.ingestion_worker().stop)
    hooks.extend(closers(container))
    if (verifier := container.bearer_tokens()) is not None:
        hooks.append(verifier.aclose)
    hooks.append(_tracer_flusher(container))
    return hooks


def _tracer_flusher(container: Container) -> Hook:
    """Export the spans still queued; in a thread, as a collector that is down holds the
    export until its timeout (OTEL_EXPORTER_OTLP_TIMEOUT)."""

    async def flush() -> None:
        await asyncio.to_thread(container.tracer().shutdown)

    return flush
