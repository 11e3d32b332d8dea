"""`askdocs serve`: the HTTP API under uvicorn, with an admin key when none exists yet."""

from __future__ import annotations

import os
import sys

import uvicorn

from askdocs.application.api_keys import new_token
from askdocs.domain.principals import Role, token_digest
from askdocs.entrypoints.logging import configure_logging
from askdocs.entrypoints.settings import load_settings

APP_FACTORY = "askdocs.entrypoints.http.app:create_app_from_environment"


def ensure_admin_key(*, keys_are_stored: bool) -> None:
    """Embedded, with no key configured: make one admin key, print it once, and share it with
    the server processes. With a database the server makes the first admin key itself, once
    per deployment, and stores it (the startup hook `first_admin_key`).

    The token goes to the terminal (never through the logger); only its hash travels to the
    worker processes, through the environment they inherit.
    """
    if keys_are_stored or os.environ.get("ASKDOCS_AUTH__API_KEYS", "").strip():
        return
    token = new_token()
    os.environ["ASKDOCS_AUTH__API_KEYS"] = f"{token_digest(token)}:{Role.ADMIN.value}"
    print(f"admin API key: {token}", flush=True)


def run(*, demo: bool = False) -> int:
    """Serve until stopped; with `demo`, every server process loads the demo corpus at start."""
    if demo:  # through the environment, which the server processes inherit
        os.environ["ASKDOCS_SERVER__DEMO"] = "true"
    settings = load_settings()
    configure_logging(level=settings.log.level, json=settings.log.json)
    ensure_admin_key(keys_are_stored=bool(settings.database.url))
    sys.stdout.flush()
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=settings.server.host,
        port=settings.server.port,
        workers=settings.server.workers,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        timeout_graceful_shutdown=30,
    )
    return 0
