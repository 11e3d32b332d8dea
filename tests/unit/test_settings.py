"""load_settings: ASKDOCS_* variables over an optional TOML file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from askdocs.entrypoints.settings import NOT_SETTINGS, Settings, SettingsError, load_settings


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
def test_an_unknown_setting_is_an_error_naming_the_variable(variable: str) -> None:
    with pytest.raises(SettingsError, match=f"^unknown setting {variable}[ ;]"):
        load_settings({variable: "1"})


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ASKDOCS_CACHE__TTL_S", "an hour"),
        ("ASKDOCS_SERVER__PORT", "80.5"),
        ("ASKDOCS_INDEX__BACKEND", "pgvector"),
        ("ASKDOCS_METRICS__BACKEND", "statsd"),
    ],
)
def test_a_value_of_the_wrong_kind_is_an_error(variable: str, value: str) -> None:
    with pytest.raises(SettingsError):
        load_settings({variable: value})


@pytest.mark.parametrize(
    "name", ["API_KEY", "URL", "REQUIRE_SERVICES", "TEST_DATABASE_URL", "TEST_REDIS_URL"]
)
def test_variables_read_by_the_cli_and_the_tests_are_not_settings(name: str) -> None:
    assert load_settings({f"ASKDOCS_{name}": "whatever"}) == Settings()


def test_every_askdocs_variable_the_tests_and_scripts_read_is_known_not_to_be_a_setting() -> None:
    # A developer exports these in the shell that also runs `askdocs`; one missing from
    # NOT_SETTINGS would stop every askdocs process started there.
    read = set()
    for path in _TOOLING_FILES:
        text = path.read_text(encoding="utf-8", errors="replace")
        read |= {next(filter(None, names)) for names in _READ_VARIABLE.findall(text)}

    assert {"TEST_DATABASE_URL", "BENCH_VARY", "FUZZ_DOCUMENT"} <= read  # the scan sees reads
    assert read <= NOT_SETTINGS


_ROOT = Path(__file__).resolve().parents[2]
_TOOLING_FILES = [
    path
    for pattern in ("tests/**/*.py", "tests/**/*.lua", "tests/**/*.toml", "scripts/*.sh")
    for path in _ROOT.glob(pattern)
] + [_ROOT / "noxfile.py", _ROOT / ".ci" / "run"]
_NAME = r"ASKDOCS_((?:[A-Z0-9]+_)*[A-Z0-9]+)\b(?!__)"
_READ_VARIABLE = re.compile(rf"(?:environ(?:\.get)?[\[(]\s*|getenv\(\s*)[\"']{_NAME}|\$\{{?{_NAME}")
"""A variable read: os.environ[...], os.environ.get(...), os.getenv(...), $NAME, ${NAME}."""


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"ASKDOCS_SERVER__PORT": "abc"}, "ASKDOCS_SERVER__PORT='abc': expected a whole number"),
        ({"ASKDOCS_SERVER__PORT": "70000"}, "ASKDOCS_SERVER__PORT='70000': expected a whole "
         "number <= 65535"),
        ({"ASKDOCS_SERVER__WORKERS": "0"}, "ASKDOCS_SERVER__WORKERS='0': expected a whole "
         "number >= 1"),
        ({"ASKDOCS_INDEX__BACKEND": "pgvector"}, "ASKDOCS_INDEX__BACKEND='pgvector': expected "
         "one of auto, memory, postgres"),
        ({"ASKDOCS_RATE_LIMIT__FAIL_OPEN": "maybe"}, "ASKDOCS_RATE_LIMIT__FAIL_OPEN='maybe': "
         "expected true or false"),
        ({"ASKDOCS_DATABASE_URL": "postgresql://h/db"}, "unknown setting ASKDOCS_DATABASE_URL "
         "(did you mean ASKDOCS_DATABASE__URL?)"),
        ({"ASKDOCS_SERVER__PROT": "80"}, "unknown setting ASKDOCS_SERVER__PROT (did you mean "
         "ASKDOCS_SERVER__PORT?)"),
        ({"ASKDOCS_LLM__OPENAI__MODLES": "gpt"}, "unknown setting ASKDOCS_LLM__OPENAI__MODLES "
         "(did you mean ASKDOCS_LLM__OPENAI__MODELS?)"),
        ({"ASKDOCS_LLM__OPENAI__TIMEOUT_S": "soon"}, "ASKDOCS_LLM__OPENAI__TIMEOUT_S='soon': "
         "expected a number"),
        ({"ASKDOCS_CACHE": "small"}, "ASKDOCS_CACHE is a group of settings, not a value"),
    ],
)  # fmt: skip
def test_a_settings_error_is_one_line_naming_the_variable_and_what_would_do(
    variables: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(variables)

    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("variable", "url"),
    [
        ("ASKDOCS_DATABASE__URL", "mysql://askdocs:s3cret-pass@db:3306/askdocs"),
        ("ASKDOCS_DATABASE__URL", "askdocs:s3cret-pass@db:5432/askdocs"),
        ("ASKDOCS_REDIS__URL", "http://:s3cret-pass@cache:6379/0"),
    ],
)
def test_a_url_of_the_wrong_kind_is_refused_without_repeating_its_password(
    variable: str, url: str
) -> None:
    with pytest.raises(SettingsError, match=f"^{variable}: expected a") as raised:
        load_settings({variable: url})

    assert "s3cret-pass" not in str(raised.value)


@pytest.mark.parametrize(
    ("variable", "url"),
    [
        ("ASKDOCS_DATABASE__URL", "postgresql://askdocs@127.0.0.1:5432/askdocs"),
        ("ASKDOCS_DATABASE__URL", "postgres://askdocs:pw@db/askdocs?sslmode=require"),
        ("ASKDOCS_REDIS__URL", "redis://127.0.0.1:6379/0"),
        ("ASKDOCS_REDIS__URL", "rediss://:pw@cache:6380/1"),
        ("ASKDOCS_REDIS__URL", "unix:///run/redis.sock"),
    ],
)
def test_urls_of_the_right_kind_are_accepted(variable: str, url: str) -> None:
    settings = load_settings({variable: url})

    assert url in (settings.database.url, settings.redis.url)


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


def test_an_unknown_field_in_the_toml_file_is_an_error_naming_the_file(tmp_path: Path) -> None:
    config = tmp_path / "askdocs.toml"
    config.write_text("[server]\nthreads = 4\n", encoding="utf-8")

    with pytest.raises(SettingsError, match=f"^unknown setting server.threads in {config}"):
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
