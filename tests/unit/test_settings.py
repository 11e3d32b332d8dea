"""load_settings: ASKDOCS_* variables over an optional TOML file."""

from __future__ import annotations

from pathlib import Path

import pytest

from askdocs.entrypoints.settings import Settings, SettingsError, load_settings


def test_no_variables_give_the_defaults() -> None:
    assert load_settings({}) == Settings()


def test_variables_outside_the_prefix_are_ignored() -> None:
    settings = load_settings({"HOME": "/root", "PATH": "/bin", "askdocs_server__port": "1"})

    assert settings == Settings()


def test_a_double_underscore_reaches_a_nested_field_and_numbers_are_converted() -> None:
    settings = load_settings(
        {
            "ASKDOCS_CACHE__TTL_S": "60",
            "ASKDOCS_SERVER__HOST": "0.0.0.0",
            "ASKDOCS_INDEX__VECTOR_WEIGHT": "0.25",
            "ASKDOCS_RATE_LIMIT__READER__CHAT_PER_WINDOW": "7",
        }
    )

    assert settings.cache.ttl_s == 60
    assert settings.server.host == "0.0.0.0"
    assert settings.index.vector_weight == 0.25
    assert settings.rate_limit.reader.chat_per_window == 7
    assert settings.rate_limit.editor.chat_per_window == 1000


@pytest.mark.parametrize(
    "variable",
    ["ASKDOCS_CACHE__NO_SUCH_FIELD", "ASKDOCS_NO_SUCH_GROUP__TTL_S", "ASKDOCS_DEBUG"],
)
def test_an_unknown_setting_is_an_error(variable: str) -> None:
    with pytest.raises(SettingsError, match="invalid setting"):
        load_settings({variable: "1"})


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ASKDOCS_CACHE__TTL_S", "an hour"),
        ("ASKDOCS_SERVER__PORT", "80.5"),
        ("ASKDOCS_INDEX__BACKEND", "pgvector"),
        ("ASKDOCS_METRICS__BACKEND", "datadog"),
    ],
)
def test_a_value_of_the_wrong_kind_is_an_error(variable: str, value: str) -> None:
    with pytest.raises(SettingsError):
        load_settings({variable: value})


@pytest.mark.parametrize("name", ["API_KEY", "URL", "REQUIRE_SERVICES"])
def test_variables_read_by_the_cli_and_the_tests_are_not_settings(name: str) -> None:
    assert load_settings({f"ASKDOCS_{name}": "whatever"}) == Settings()


def test_a_toml_file_sets_values_and_the_environment_overrides_them(tmp_path: Path) -> None:
    config = tmp_path / "askdocs.toml"
    config.write_text(
        '[server]\nport = 9000\nhost = "10.0.0.1"\n\n'
        "[rate_limit]\nwindow_s = 60\n\n[rate_limit.admin]\nwrites_per_window = 3\n",
        encoding="utf-8",
    )

    settings = load_settings({"ASKDOCS_CONFIG_FILE": str(config), "ASKDOCS_SERVER__PORT": "9100"})

    assert settings.server.port == 9100
    assert settings.server.host == "10.0.0.1"
    assert settings.rate_limit.window_s == 60
    assert settings.rate_limit.admin.writes_per_window == 3


def test_an_unknown_field_in_the_toml_file_is_an_error(tmp_path: Path) -> None:
    config = tmp_path / "askdocs.toml"
    config.write_text("[server]\nthreads = 4\n", encoding="utf-8")

    with pytest.raises(SettingsError, match="invalid setting"):
        load_settings({"ASKDOCS_CONFIG_FILE": str(config)})


def test_a_missing_settings_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="cannot read settings file"):
        load_settings({"ASKDOCS_CONFIG_FILE": str(tmp_path / "absent.toml")})


def test_a_settings_file_that_is_not_toml_is_an_error(tmp_path: Path) -> None:
    config = tmp_path / "askdocs.toml"
    config.write_text("[server\nport = ", encoding="utf-8")

    with pytest.raises(SettingsError, match="cannot read settings file"):
        load_settings({"ASKDOCS_CONFIG_FILE": str(config)})


def test_without_an_explicit_mapping_the_process_environment_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ASKDOCS_CACHE__MAX_ENTRIES", "12")

    assert load_settings().cache.max_entries == 12


def test_a_group_given_a_value_and_a_nested_field_is_a_settings_error() -> None:
    with pytest.raises(SettingsError):
        load_settings({"ASKDOCS_CACHE": "small", "ASKDOCS_CACHE__TTL_S": "60"})
