"""Values the container derives from settings: configured keys, rate-limit rules, paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from askdocs.adapters.metrics.datadog import DatadogMetrics
from askdocs.adapters.metrics.noop import NoopMetrics
from askdocs.adapters.metrics.opentelemetry import OpenTelemetryMetrics
from askdocs.adapters.metrics.prometheus import PrometheusMetrics
from askdocs.domain.principals import ApiKey, Role, token_digest
from askdocs.domain.rate_limits import RateLimitPolicy, RateLimitRule
from askdocs.entrypoints.container import build_container
from askdocs.entrypoints.infrastructure import closers
from askdocs.entrypoints.settings import SettingsError, load_settings
from askdocs.entrypoints.wiring import (
    CHAT,
    DOCUMENT_WRITES,
    api_keys_from_setting,
    blob_root,
    rate_limit_rules,
)

READER_HASH = token_digest("reader-token")
ADMIN_HASH = token_digest("admin-token")


def test_configured_keys_are_read_from_hash_role_pairs() -> None:
    keys = api_keys_from_setting(f" {READER_HASH}:reader ,{ADMIN_HASH.upper()}:admin, ")

    assert keys == [ApiKey(READER_HASH, Role.READER), ApiKey(ADMIN_HASH, Role.ADMIN)]


@pytest.mark.parametrize("value", ["", " ", ", ,"])
def test_no_configured_keys_give_an_empty_list(value: str) -> None:
    assert api_keys_from_setting(value) == []


@pytest.mark.parametrize(
    "value",
    [
        f"{READER_HASH}:owner",
        f"{READER_HASH}:Reader",
        f"{READER_HASH}",
        f"{READER_HASH[:-1]}:reader",
        f"{READER_HASH}0:reader",
        "reader-token:reader",
        f"{READER_HASH}:reader,{ADMIN_HASH}",
    ],
)
def test_a_malformed_key_setting_is_an_error(value: str) -> None:
    with pytest.raises(SettingsError, match="sha256:role"):
        api_keys_from_setting(value)


def test_rate_limit_rules_apply_each_roles_limits_over_the_window() -> None:
    settings = load_settings(
        {
            "ASKDOCS_RATE_LIMIT__WINDOW_S": "60",
            "ASKDOCS_RATE_LIMIT__READER__CHAT_PER_WINDOW": "3",
            "ASKDOCS_RATE_LIMIT__EDITOR__CHAT_PER_WINDOW": "5",
            "ASKDOCS_RATE_LIMIT__EDITOR__WRITES_PER_WINDOW": "2",
            "ASKDOCS_RATE_LIMIT__ADMIN__CHAT_PER_WINDOW": "8",
            "ASKDOCS_RATE_LIMIT__ADMIN__WRITES_PER_WINDOW": "9",
        }
    )

    rules = rate_limit_rules(settings)

    def rule(limit: int) -> RateLimitRule:
        policy = RateLimitPolicy(limit=limit, window_s=60)
        return RateLimitRule(per_ip=policy, per_principal=policy)

    assert rules == {
        CHAT: {Role.READER: rule(3), Role.EDITOR: rule(5), Role.ADMIN: rule(8)},
        DOCUMENT_WRITES: {Role.EDITOR: rule(2), Role.ADMIN: rule(9)},
    }


def test_readers_get_no_document_write_rule() -> None:
    assert Role.READER not in rate_limit_rules(load_settings({}))[DOCUMENT_WRITES]


def test_a_configured_blob_directory_is_used_as_given(tmp_path: Path) -> None:
    assert blob_root(str(tmp_path / "blobs")) == tmp_path / "blobs"


def test_the_default_blob_directory_is_under_xdg_data_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))

    assert blob_root("") == tmp_path / "askdocs" / "blobs"


def test_without_xdg_data_home_blobs_go_under_the_home_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))

    assert blob_root("") == tmp_path / ".local" / "share" / "askdocs" / "blobs"


def test_the_auto_metrics_backend_is_prometheus_when_its_client_is_installed(
    tmp_path: Path,
) -> None:
    container = build_container(load_settings({"ASKDOCS_DOCUMENTS__BLOB_DIR": str(tmp_path)}))

    assert isinstance(container.metrics(), PrometheusMetrics)


def test_the_noop_metrics_backend_can_be_chosen(tmp_path: Path) -> None:
    container = build_container(
        load_settings(
            {"ASKDOCS_DOCUMENTS__BLOB_DIR": str(tmp_path), "ASKDOCS_METRICS__BACKEND": "noop"}
        )
    )

    assert isinstance(container.metrics(), NoopMetrics)


@pytest.mark.parametrize(
    ("backend", "adapter"),
    [("datadog", DatadogMetrics), ("opentelemetry", OpenTelemetryMetrics)],
)
async def test_each_metrics_backend_is_one_setting_and_closed_with_the_services(
    tmp_path: Path, backend: str, adapter: type
) -> None:
    container = build_container(
        load_settings(
            {
                "ASKDOCS_DOCUMENTS__BLOB_DIR": str(tmp_path),
                "ASKDOCS_METRICS__BACKEND": backend,
                "ASKDOCS_METRICS__STATSD_HOST": "127.0.0.1",
                "ASKDOCS_METRICS__STATSD_PORT": "9125",
            }
        )
    )

    metrics = container.metrics()
    assert isinstance(metrics, adapter)
    assert metrics.close in closers(container)
    for close in closers(container):
        await close()


def test_the_statsd_setting_is_where_dogstatsd_lines_go(tmp_path: Path) -> None:
    container = build_container(
        load_settings(
            {
                "ASKDOCS_DOCUMENTS__BLOB_DIR": str(tmp_path),
                "ASKDOCS_METRICS__BACKEND": "datadog",
                "ASKDOCS_METRICS__STATSD_HOST": "127.0.0.1",
                "ASKDOCS_METRICS__STATSD_PORT": "9125",
            }
        )
    )

    statsd = container.metrics().statsd
    assert (statsd.host, statsd.port) == ("127.0.0.1", 9125)
