"""Which backends need which shared service, in one table, and `auto` resolved from it once.

A shared service is a client several adapters use: the PostgreSQL pool, the Redis client. Each
row names the settings sections (ports) whose backend value selects it, the URL setting that
`auto` follows, the container provider that builds it, and whether readiness fails without it.
Resolution (`resolve_backends`), start and stop hooks, readiness, `askdocs worker` and every
command that opens a pool read this table, so they cannot disagree about what a process uses.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

import msgspec

from askdocs.entrypoints.settings import Settings, SettingsError

if TYPE_CHECKING:
    from askdocs.entrypoints.container import Container


class SharedService(Protocol):
    """Protocol: a client opened on first use; `ping` raises UpstreamError when it is down."""

    async def ping(self) -> None: ...

    async def close(self) -> None: ...


@dataclasses.dataclass(frozen=True, slots=True)
class Infrastructure:
    """One shared service and the backend choices that need it."""

    name: str
    """The container provider that builds it, and its name in readiness reports."""
    backend: str
    """The backend value (in each of `sections`) that uses it; `auto` picks it when `url` is set."""
    sections: tuple[str, ...]
    """Settings sections whose `backend` may select it."""
    url: Callable[[Settings], str]
    critical: Callable[[Settings], bool]
    """Whether nothing works without it (readiness answers 503 when it is down)."""
    also: tuple[str, ...] = ()
    """Other `section.field` settings that select it with the value `backend` (their `auto` is
    resolved apart from the ports')."""

    def client(self, container: Container) -> SharedService:
        """The container's instance (built now if unused: it connects on first use only)."""
        service: SharedService = getattr(container, self.name)()
        return service


INFRASTRUCTURE = (
    Infrastructure(
        name="database",
        backend="postgres",
        sections=("documents", "index", "jobs"),
        url=lambda settings: settings.database.url,
        critical=lambda settings: True,
        also=("auth.key_store",),
    ),
    Infrastructure(
        name="redis",
        backend="redis",
        sections=("cache", "rate_limit", "conversations", "provider_health"),
        url=lambda settings: settings.redis.url,
        # Without Redis answers lose cache and memory but are still given, unless rate
        # limits fail closed: taking every replica out of a load balancer would turn a
        # degradation into an outage.
        critical=lambda settings: not settings.rate_limit.fail_open,
    ),
)


def _backend(settings: Settings, section: str) -> str:
    """The value of `section.backend`, or of `section.field` when given so."""
    name, _, field = section.partition(".")
    return str(getattr(getattr(settings, name), field or "backend"))


def resolve_backends(settings: Settings) -> Settings:
    """`settings` with every `auto` replaced by what it stands for; resolved settings are
    returned unchanged.

    Ports follow their service's URL (set: that service, unset: `memory`); the answer cache is
    `disabled` instead of `memory` when jobs are in PostgreSQL (other processes ingest, and an
    in-process cache would never hear of it); metrics are the first of `extras.METRICS_EXTRAS` whose
    extra is installed, else noop; tracing is OpenTelemetry when its SDK imports and an OTLP
    endpoint is set (ADR 43);
    `worker.in_serve` is `true` (ADR 33).

    Raises:
        SettingsError: `worker.in_serve=false` with jobs in memory, which nothing could take.
    """
    tree: dict[str, Any] = msgspec.to_builtins(settings)
    for service in INFRASTRUCTURE:
        chosen = service.backend if service.url(settings) else "memory"
        for section in service.sections:
            if tree[section]["backend"] == "auto":
                tree[section]["backend"] = chosen
    if (
        settings.cache.backend == "auto"
        and tree["cache"]["backend"] == "memory"
        and tree["jobs"]["backend"] == "postgres"
    ):
        tree["cache"]["backend"] = "disabled"
    if tree["metrics"]["backend"] == "auto":
        # extras.py reads this module's table, so its names are imported once both exist.
        from askdocs.entrypoints.extras import METRICS_EXTRAS, installed

        tree["metrics"]["backend"] = next(
            (backend for backend, extra in METRICS_EXTRAS.items() if installed(extra)), "noop"
        )
    if tree["tracing"]["backend"] == "auto":
        tree["tracing"]["backend"] = "opentelemetry" if traces_have_a_collector() else "noop"
    # What the server means by `auto` where the library chooses otherwise (library_settings.py).
    for section, field, choice in (
        ("documents", "blob_store", "local"),
        ("worker", "parser", "isolated"),
        ("auth", "key_store", tree["documents"]["backend"]),
    ):
        if tree[section][field] == "auto":
            tree[section][field] = choice
    if tree["worker"]["in_serve"] == "auto":
        tree["worker"]["in_serve"] = "true"
    elif tree["worker"]["in_serve"] == "false" and tree["jobs"]["backend"] == "memory":
        raise SettingsError(
            "worker.in_serve is false but jobs are kept in memory, where only `serve` can "
            "take them: set ASKDOCS_DATABASE__URL (jobs in PostgreSQL, for `askdocs worker`) "
            "or leave ASKDOCS_WORKER__IN_SERVE unset"
        )
    return msgspec.convert(tree, Settings)


def traces_have_a_collector(environ: Mapping[str, str] | None = None) -> bool:
    """Whether traces would go somewhere: the SDK and its OTLP exporter import and the
    standard variables name an endpoint. Without one the exporter would post to
    localhost:4318 in every process, where there is rarely a collector."""
    env = os.environ if environ is None else environ
    endpoint = env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or env.get(
        "OTEL_EXPORTER_OTLP_ENDPOINT"
    )
    return bool(endpoint) and all(
        _importable(module)
        for module in ("opentelemetry.sdk.trace", "opentelemetry.exporter.otlp.proto.http")
    )


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


def in_use(settings: Settings) -> list[Infrastructure]:
    """The shared services the resolved `settings` select."""
    return [service for service in INFRASTRUCTURE if selected_by(settings, service)]


def selected_by(settings: Settings, service: Infrastructure) -> list[str]:
    """The settings (`section.backend=value`) by which the resolved `settings` select
    `service`."""
    return [
        f"{path if '.' in path else path + '.backend'}={service.backend}"
        for path in (*service.sections, *service.also)
        if _backend(settings, path) == service.backend
    ]


def uses(settings: Settings, name: str) -> bool:
    """Whether the resolved `settings` select the shared service `name`."""
    return any(service.name == name for service in in_use(settings))


def embedded_ports(settings: Settings) -> list[str]:
    """The ports of the table whose resolved backend keeps their state in this process."""
    return [
        section
        for service in INFRASTRUCTURE
        for section in service.sections
        if _backend(settings, section) == "memory"
    ]


def closers(container: Container, *also: str) -> list[Callable[[], Awaitable[None]]]:
    """The `close` of each shared service the container's settings select, and of those named
    in `also` (a command that uses the database whatever the ports select, like `migrate`);
    last, the metrics backend's, if it has one (it sends what it still holds, so it goes once
    nothing records any more)."""
    selected = in_use(container.settings())
    closing: list[Callable[[], Awaitable[None]]] = [
        service.client(container).close
        for service in INFRASTRUCTURE
        if service in selected or service.name in also
    ]
    metrics_close: Callable[[], Awaitable[None]] | None = getattr(
        container.metrics(), "close", None
    )
    return [*closing, metrics_close] if metrics_close is not None else closing


@contextlib.asynccontextmanager
async def services_closed_after(container: Container, *also: str) -> AsyncIterator[Container]:
    """`container`, whose shared services (`closers`) are closed on the way out, whatever
    happened."""
    try:
        yield container
    finally:
        for close in closers(container, *also):
            await close()
