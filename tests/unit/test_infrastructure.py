"""The table of shared services: `auto` resolved once, and what each process opens, closes and
checks for readiness derived from the resolved settings."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import msgspec
import pytest

from askdocs.entrypoints.container import build_container
from askdocs.entrypoints.http.lifecycle import runs_worker
from askdocs.entrypoints.infrastructure import (
    embedded_ports,
    in_use,
    resolve_backends,
    traces_have_a_collector,
)
from askdocs.entrypoints.readiness import Readiness
from askdocs.entrypoints.settings import Settings, SettingsError, load_settings

DATABASE = {"ASKDOCS_DATABASE__URL": "postgresql://askdocs@db.example:5432/askdocs"}
REDIS = {"ASKDOCS_REDIS__URL": "redis://cache.example:6379/0"}


def resolved(environ: Mapping[str, str]) -> Settings:
    return resolve_backends(load_settings(environ))


def autos(tree: Any, path: str = "") -> Iterator[str]:
    """The dotted names of every value `auto` in a settings tree."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from autos(value, f"{path}.{key}" if path else key)
    elif tree == "auto":
        yield path


def backends(settings: Settings) -> dict[str, str]:
    sections = ("documents", "index", "jobs", "cache", "rate_limit", "conversations",
                "provider_health")  # fmt: skip
    return {section: getattr(settings, section).backend for section in sections}


@pytest.mark.parametrize("environ", [{}, DATABASE, REDIS, {**DATABASE, **REDIS}])
def test_the_container_is_given_settings_with_no_auto_left(environ: dict[str, str]) -> None:
    container = build_container(load_settings(environ))

    # log.json's `auto` asks whether stderr is a terminal, where logging is set up.
    assert list(autos(msgspec.to_builtins(container.settings()))) == ["log.json"]
    assert list(autos(container.config())) == ["log.json"]


def test_without_services_every_port_is_in_memory_and_serve_ingests() -> None:
    settings = resolved({})

    assert set(backends(settings).values()) == {"memory"}
    assert settings.worker.in_serve == "true"
    assert in_use(settings) == []


def test_a_database_url_selects_postgres_and_disables_a_cache_no_other_process_could_clear() -> (
    None
):
    settings = resolved(DATABASE)

    assert backends(settings) == {
        "documents": "postgres", "index": "postgres", "jobs": "postgres", "cache": "disabled",
        "rate_limit": "memory", "conversations": "memory", "provider_health": "memory",
    }  # fmt: skip
    assert [service.name for service in in_use(settings)] == ["database"]
    assert settings.worker.in_serve == "true"


def test_a_redis_url_selects_redis_for_the_shared_state_only() -> None:
    settings = resolved(REDIS)

    assert backends(settings) == {
        "documents": "memory", "index": "memory", "jobs": "memory", "cache": "redis",
        "rate_limit": "redis", "conversations": "redis", "provider_health": "redis",
    }  # fmt: skip
    assert [service.name for service in in_use(settings)] == ["redis"]
    assert embedded_ports(settings) == ["documents", "index", "jobs"]


def test_an_explicit_choice_wins_over_the_url() -> None:
    settings = resolved({**REDIS, "ASKDOCS_CACHE__BACKEND": "memory"})

    assert settings.cache.backend == "memory"
    assert settings.rate_limit.backend == "redis"


def test_resolving_resolved_settings_changes_nothing() -> None:
    once = resolved({**DATABASE, **REDIS})

    assert resolve_backends(once) == once


def test_serve_runs_no_worker_when_told_not_to_and_jobs_are_shared() -> None:
    container = build_container(load_settings({**DATABASE, "ASKDOCS_WORKER__IN_SERVE": "false"}))

    assert not runs_worker(container)


def test_no_worker_in_serve_with_jobs_in_memory_is_refused_at_start() -> None:
    with pytest.raises(
        SettingsError, match=r"worker\.in_serve is false but jobs are kept in memory"
    ):
        resolved({"ASKDOCS_WORKER__IN_SERVE": "false"})


async def test_readiness_reports_the_ports_kept_in_memory_and_checks_nothing_else() -> None:
    readiness = Readiness.of(build_container(load_settings({})))

    status, checks = await readiness.report()

    assert status == "ok"
    assert checks == dict.fromkeys(
        ["documents", "index", "jobs", "cache", "rate_limit", "conversations",
         "provider_health"], "memory"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": ""}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
    ],
)
def test_traces_have_a_collector_when_an_otlp_endpoint_is_named(
    environ: dict[str, str], expected: bool
) -> None:
    assert traces_have_a_collector(environ) is expected


def test_auto_tracing_follows_the_otlp_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    assert resolved({}).tracing.backend == "noop"
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")
    assert resolved({}).tracing.backend == "opentelemetry"
    assert resolved({"ASKDOCS_TRACING__BACKEND": "noop"}).tracing.backend == "noop"
