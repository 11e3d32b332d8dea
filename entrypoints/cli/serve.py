"""`askdocs serve`: the HTTP API under uvicorn, with an admin key when none exists yet.

Before uvicorn starts, this process sees that it can listen where asked, builds the app once
from the settings and, with a database, connects to it: a port in use, a setting that cannot
work or a database that cannot be reached is one line and an exit status here, rather than a
traceback from every server process.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator

import uvicorn

from askdocs.application.api_keys import new_token
from askdocs.domain.principals import Role, token_digest
from askdocs.entrypoints.cli.startup import (
    check_database,
    check_listening,
    configuration_checked,
)
from askdocs.entrypoints.http.app import create_app_from_settings
from askdocs.entrypoints.infrastructure import resolve_backends
from askdocs.entrypoints.logging import configure_logging_from
from askdocs.entrypoints.settings import Settings, SettingsError, load_settings

APP_FACTORY = "askdocs.entrypoints.http.app:create_app_from_environment"
MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def make_admin_key(*, keys_are_stored: bool) -> str | None:
    """Embedded, with no key configured: make one admin key and share it with the server
    processes; the token, to be printed once the server is sure to start. With a database the
    server makes the first admin key itself, once per deployment, and stores it (the startup
    hook `first_admin_key`).

    Only the token's hash travels to the worker processes, through the environment they
    inherit; the token goes to the terminal, never through the logger.
    """
    if keys_are_stored or os.environ.get("ASKDOCS_AUTH__API_KEYS", "").strip():
        return None
    token = new_token()
    os.environ["ASKDOCS_AUTH__API_KEYS"] = f"{token_digest(token)}:{Role.ADMIN.value}"
    return token


def run(*, demo: bool = False) -> int:
    """Serve until stopped; with `demo`, every server process loads the demo corpus at start.

    Raises:
        SettingsError: a setting that cannot work. StartupFailure: the database cannot be used.
    """
    if demo:  # through the environment, which the server processes inherit
        os.environ["ASKDOCS_SERVER__DEMO"] = "true"
    settings = load_settings()
    if settings.jobs.backend == "inline":
        raise SettingsError(
            "jobs.backend=inline is for the library, which ingests in the call; uploads to "
            "`askdocs serve` need a worker: set jobs.backend to auto, memory or postgres"
        )
    configure_logging_from(settings.log, role="serve")
    check_listening(settings.server.host, settings.server.port)
    if settings.database.url:
        check_database(settings.database.url, migrated=not settings.database.migrate_on_start)
    token = make_admin_key(keys_are_stored=bool(settings.database.url))
    settings = load_settings()  # with the key just made
    with prometheus_shared_by_workers(settings):
        app = configuration_checked(lambda: create_app_from_settings(settings))
        if token is not None:
            print(f"admin API key: {token}", flush=True)
        sys.stdout.flush()
        workers = settings.server.workers
        uvicorn.run(
            # One process serves the app built above; several import it afresh, each its own.
            app if workers == 1 else APP_FACTORY,
            factory=workers > 1,
            host=settings.server.host,
            port=settings.server.port,
            workers=workers,
            log_config=None,
            access_log=False,
            proxy_headers=False,
            timeout_graceful_shutdown=30,
        )
    return 0


@contextlib.contextmanager
def prometheus_shared_by_workers(settings: Settings) -> Iterator[None]:
    """With several server processes on Prometheus and no `PROMETHEUS_MULTIPROC_DIR`, one
    made for this run (and removed after it), so that any process answers `/metrics` for all.

    It is set here, before anything imports prometheus_client (which reads it then), and the
    server processes inherit it. An operator's own directory is used as it is (ADR 41).
    """
    if (
        settings.server.workers == 1
        or os.environ.get(MULTIPROCESS_VARIABLE)
        or resolve_backends(settings).metrics.backend != "prometheus"
    ):
        yield
        return
    directory = tempfile.mkdtemp(prefix="askdocs-prometheus-")
    os.environ[MULTIPROCESS_VARIABLE] = directory
    try:
        yield
    finally:
        del os.environ[MULTIPROCESS_VARIABLE]
        shutil.rmtree(directory, ignore_errors=True)
