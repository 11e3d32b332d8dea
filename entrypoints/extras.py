"""The optional parts of askdocs (pip extras), and one line when a selected one is missing.

The core install is what the embedded library needs. A backend that lives in an extra is
imported only once the settings select it, and a selection whose extra is not installed stops
the process at start with one line naming the extra (exit status 2 from the CLI), instead of an
ImportError at the first request.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
from collections.abc import Callable, Iterator
from typing import Any

from askdocs.entrypoints.infrastructure import in_use, selected_by
from askdocs.entrypoints.llm_wiring import provider_kind, provider_names
from askdocs.entrypoints.settings import Settings, SettingsError

EXTRAS: dict[str, tuple[str, ...]] = {
    "server": ("litestar", "uvicorn", "jwt", "prometheus_client"),
    "postgres": ("asyncpg", "pgvector", "pgqueuer"),
    "redis": ("redis",),
    "llm": ("openai", "groq", "httpx2"),
    "local": ("onnxruntime", "tokenizers", "llama_cpp"),
    "datadog": ("datadog",),
    "otel": ("opentelemetry.sdk", "opentelemetry.exporter.otlp.proto.http"),
}
"""Extra -> the modules it installs that askdocs imports."""
METRICS_EXTRAS = {"prometheus": "server", "opentelemetry": "otel", "datadog": "datadog"}
"""Metrics backend -> its extra; `metrics.backend=auto` takes the first installed, in this
order: Prometheus needs no collector (it is scraped), OpenTelemetry is vendor-neutral."""
SERVICE_EXTRAS = {"database": "postgres", "redis": "redis"}
"""Shared service (entrypoints/infrastructure.py) -> the extra its client comes from."""


class MissingExtra(SettingsError):
    """Something selected lives in an extra that is not installed."""

    def __init__(self, extra: str, needed_by: str, module: str) -> None:
        super().__init__(
            f"{needed_by} needs askdocs[{extra}], which is not installed (no module "
            f"{module!r}): pip install 'askdocs[{extra}]'"
        )
        self.extra = extra


def require(extra: str, needed_by: str, *, installed: Callable[[str], bool] | None = None) -> None:
    """MissingExtra unless every module of `extra` can be imported (none is imported here)."""
    present = installed or _importable
    for module in EXTRAS[extra]:
        if not present(module):
            raise MissingExtra(extra, needed_by, module)


def installed(extra: str) -> bool:
    """Whether every module of `extra` can be imported (none is imported here)."""
    return all(_importable(module) for module in EXTRAS[extra])


def required_extras(settings: Settings) -> dict[str, str]:
    """Extra -> the first setting that selects something of it (`settings` resolved)."""
    needs: dict[str, str] = {}
    if settings.database.url:
        needs["postgres"] = "database.url"
    if settings.redis.url:
        needs["redis"] = "redis.url"
    for service in in_use(settings):
        needs.setdefault(SERVICE_EXTRAS[service.name], selected_by(settings, service)[0])
    if settings.embedder.backend == "openai":
        needs["llm"] = "embedder.backend=openai"
    for name in provider_names(settings.llm):
        kind = provider_kind(name, settings.llm)
        if kind != "extractive":
            extra = "local" if kind == "llamacpp" else "llm"
            needs.setdefault(extra, f"the LLM provider {name} (llm.providers)")
    if (backend := settings.metrics.backend) in METRICS_EXTRAS:
        needs.setdefault(METRICS_EXTRAS[backend], f"metrics.backend={backend}")
    if settings.tracing.backend == "opentelemetry":
        needs.setdefault("otel", "tracing.backend=opentelemetry")
    if settings.auth.jwt.enabled:
        needs.setdefault("server", "JWT bearer tokens (auth.jwt)")
    return needs


def require_extras(settings: Settings, *, installed: Callable[[str], bool] | None = None) -> None:
    """MissingExtra for the first extra the settings select that is not installed."""
    for extra, needed_by in required_extras(settings).items():
        require(extra, needed_by, installed=installed)


@contextlib.contextmanager
def extra_imports(needed_by: str) -> Iterator[None]:
    """Turn a missing extra's module, met while importing, into MissingExtra."""
    try:
        yield
    except ModuleNotFoundError as exc:
        top = (exc.name or "").partition(".")[0]
        extra = next(
            (
                name
                for name, modules in EXTRAS.items()
                if top in (module.partition(".")[0] for module in modules)
            ),
            None,
        )
        if extra is None:
            raise
        raise MissingExtra(extra, needed_by, top) from exc


def lazy(path: str) -> Callable[..., Any]:
    """A factory for `module:Name` that imports the module when first called, so a container
    can name an adapter whose extra may be absent (string paths given to dependency-injector
    are imported at once)."""
    module_name, _, name = path.partition(":")

    def build(*args: Any, **kwargs: Any) -> Any:
        with extra_imports(name):
            module = importlib.import_module(module_name)
        return getattr(module, name)(*args, **kwargs)

    def target() -> Any:
        """The named class or function itself, imported now (for introspection)."""
        return getattr(importlib.import_module(module_name), name)

    build.__qualname__ = build.__name__ = name
    build.import_target = target  # type: ignore[attr-defined]
    return build


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a dotted name whose parent package is absent
        return False
