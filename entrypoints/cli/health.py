"""`askdocs health`: the services the settings select, checked from here; or, with `--url`
(or ASKDOCS_URL), a running server's own readiness.

From here it pings each shared service the settings select (the table in
`askdocs.entrypoints.infrastructure`, as `/health/ready` does), sees that no migration is
pending when a database is selected, and builds the LLM providers from their settings without
calling them (a health check should not spend a paid API's quota). One line per check, then
`status: ok | degraded | unavailable`; exit 0 only when ok.
"""

from __future__ import annotations

import asyncio

import httpx

from askdocs.application.errors import UpstreamError
from askdocs.entrypoints.cli.startup import StartupFailure, configuration_checked
from askdocs.entrypoints.container import Container, build_container
from askdocs.entrypoints.infrastructure import services_closed_after
from askdocs.entrypoints.llm_wiring import provider_names
from askdocs.entrypoints.readiness import Readiness
from askdocs.entrypoints.settings import load_settings

TIMEOUT_S = 30.0


def run(*, url: str | None) -> int:
    """Print the checks; exit 0 when everything answers, 1 otherwise.

    Raises:
        SettingsError: a setting that cannot work (status 2). StartupFailure: the server
            named by `url` cannot be reached, or answered something other than readiness.
    """
    if url:
        status, checks = _ask_server(url)
    else:
        settings = load_settings()
        container = configuration_checked(lambda: build_container(settings))
        configuration_checked(container.chat_model)  # every provider's settings, no request
        status, checks = asyncio.run(_check_here(container))
        checks["llm providers"] = ", ".join(provider_names(settings.llm))
    for name, result in checks.items():
        print(f"{name}: {result}")
    print(f"status: {status}")
    return 0 if status == "ok" else 1


async def _check_here(container: Container) -> tuple[str, dict[str, str]]:
    """Readiness as the server reports it, and the migrations when the database answers."""
    async with services_closed_after(container):
        status, checks = await Readiness.of(container).report()
        if checks.get("database") != "ok":
            return status, checks
        # The `postgres` extra, installed wherever a database is selected.
        from askdocs.adapters.postgres.migrations import PostgresMigrator

        try:
            pending = await PostgresMigrator(container.database()).pending()
        except UpstreamError as exc:
            checks["migrations"] = f"unknown ({exc.detail})"
            return "unavailable", checks
    if not pending:
        checks["migrations"] = "ok"
    elif container.settings().database.migrate_on_start:
        checks["migrations"] = f"{len(pending)} pending, applied when the server starts"
    else:
        checks["migrations"] = f"{len(pending)} pending: run `askdocs migrate`"
        status = "unavailable"  # `serve` and `worker` refuse to start on it
    return status, checks


def _ask_server(url: str) -> tuple[str, dict[str, str]]:
    try:
        response = httpx.get(f"{url}/health/ready", timeout=TIMEOUT_S)
    except httpx.HTTPError as exc:
        raise StartupFailure(f"{url} could not be reached: {exc}") from exc
    try:
        body = response.json()
        return str(body["status"]), {str(k): str(v) for k, v in body["checks"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StartupFailure(
            f"{url}/health/ready answered HTTP {response.status_code}, not a readiness report: "
            "is it an askdocs server?"
        ) from exc
