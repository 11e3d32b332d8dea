"""The CLI's flags and how a command that cannot start says so: one line, status 2 for a
command line or settings to fix, 1 for a service that failed."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import asyncpg
import pytest

import askdocs
from askdocs.application.errors import UpstreamAuthFailed, UpstreamTimeout, UpstreamUnavailable
from askdocs.entrypoints.cli.main import build_parser, main, settings_from_flags
from askdocs.entrypoints.cli.startup import (
    StartupFailure,
    check_database,
    check_listening,
    configuration_checked,
    database_failure,
)
from askdocs.entrypoints.settings import SettingsError, load_settings

URL = "postgresql://askdocs:s3cret-pass@db.example:5433/askdocs"


def failed_with(
    error: UpstreamUnavailable | UpstreamTimeout, cause: BaseException
) -> StartupFailure:
    error.__cause__ = cause
    return database_failure(URL, error)


def test_flags_override_variables_which_override_the_settings_file(tmp_path: Path) -> None:
    config = tmp_path / "askdocs.toml"
    config.write_text('[server]\nport = 9000\nhost = "10.0.0.1"\nworkers = 3\n', encoding="utf-8")
    args = build_parser().parse_args(["serve", "--config", str(config), "--port", "9200"])
    environ = {"ASKDOCS_SERVER__PORT": "9100", "ASKDOCS_SERVER__WORKERS": "2"}

    settings = load_settings({**environ, **settings_from_flags(args)})

    assert settings.server.port == 9200  # the flag
    assert settings.server.workers == 2  # the variable, over the file
    assert settings.server.host == "10.0.0.1"  # the file, over the default


def test_worker_flags_set_its_settings() -> None:
    args = build_parser().parse_args(["worker", "--concurrency", "3", "--processes", "2"])

    settings = load_settings(settings_from_flags(args))

    assert (settings.worker.concurrency, settings.worker.processes) == (3, 2)


def test_flags_left_out_set_nothing() -> None:
    assert settings_from_flags(build_parser().parse_args(["serve"])) == {}


@pytest.mark.parametrize(
    "argv",
    [
        ["serve", "--port", "99999"],
        ["serve", "--port", "eighty"],
        ["serve", "--workers", "0"],
        ["worker", "--concurrency", "-1"],
        ["migrate", "--port", "8000"],
        ["migrate", "--wait", "soon"],
        ["migrate", "--wait", "-1"],
    ],
)
def test_a_flag_value_that_cannot_work_is_a_usage_error(argv: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as raised:
        build_parser().parse_args(argv)

    assert raised.value.code == 2
    assert "error: " in capsys.readouterr().err


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A copy of the environment for `main` to write the flags' variables into."""
    copy = {k: v for k, v in os.environ.items() if not k.startswith("ASKDOCS_")}
    monkeypatch.setattr(os, "environ", copy)
    return copy


def test_a_bad_setting_is_one_line_and_status_2(environment, capsys) -> None:
    environment["ASKDOCS_SERVER__PROT"] = "8000"

    status = main(["migrate"])

    err = capsys.readouterr().err
    assert status == 2
    assert err == (
        "askdocs migrate: unknown setting ASKDOCS_SERVER__PROT (did you mean "
        "ASKDOCS_SERVER__PORT?); docs/operations.md lists every setting\n"
    )


def test_a_missing_settings_file_named_by_the_flag_is_status_2(tmp_path, environment, capsys):
    status = main(["keys", "list", "--config", str(tmp_path / "absent.toml")])

    assert status == 2
    assert capsys.readouterr().err.startswith("askdocs keys list: cannot read settings file")


def test_a_refused_connection_says_where_and_what_to_do_without_the_password() -> None:
    failure = failed_with(UpstreamUnavailable("unavailable"), ConnectionRefusedError(111, "no"))

    assert failure.exit_status == 1
    assert failure.message == (
        "cannot reach PostgreSQL at db.example:5433 (connection refused): is it running? "
        "set ASKDOCS_DATABASE__URL"
    )


def test_every_address_refused_is_a_refused_connection_too() -> None:
    joined = OSError(
        "Multiple exceptions: [Errno 111] Connect call failed ('::1', 5433), "
        "[Errno 111] Connect call failed ('127.0.0.1', 5433)"
    )

    assert "(connection refused)" in failed_with(UpstreamUnavailable("x"), joined).message


@pytest.mark.parametrize(
    ("error", "cause", "expected"),
    [
        (
            UpstreamAuthFailed("refused"),
            asyncpg.InvalidAuthorizationSpecificationError('role "askdocs" does not exist'),
            'refused the login (role "askdocs" does not exist): create that role',
        ),
        (
            UpstreamAuthFailed("refused"),
            asyncpg.InvalidPasswordError('password authentication failed for user "askdocs"'),
            "check the user and password in ASKDOCS_DATABASE__URL",
        ),
        (
            UpstreamUnavailable("missing"),
            asyncpg.InvalidCatalogNameError('database "askdocs" does not exist'),
            'database "askdocs" does not exist: create it',
        ),
        (
            UpstreamUnavailable("x"),
            socket.gaierror(-2, "Name or service not known"),
            "unknown host",
        ),
        (UpstreamTimeout("x"), TimeoutError(), "no answer within 10 s"),
    ],
)
def test_each_database_failure_names_its_cause_and_a_remedy(error, cause, expected) -> None:
    failure = failed_with(error, cause)

    assert expected in failure.message
    assert "db.example:5433" in failure.message
    assert "s3cret-pass" not in failure.message
    assert "\n" not in failure.message


def test_without_a_database_url_checking_it_is_a_configuration_error() -> None:
    with pytest.raises(StartupFailure) as raised:
        check_database("")

    assert raised.value.exit_status == 2
    assert "ASKDOCS_DATABASE__URL" in raised.value.message


def test_a_value_an_adapter_refuses_while_being_built_is_a_settings_error() -> None:
    def build() -> None:
        raise ValueError("an OpenAI embedder needs a model")

    with pytest.raises(SettingsError, match=r"^an OpenAI embedder needs a model$"):
        configuration_checked(build)


def test_anything_else_an_adapter_raises_while_being_built_is_not_hidden() -> None:
    def build() -> None:
        raise KeyError("a bug")

    with pytest.raises(KeyError):
        configuration_checked(build)


def test_a_port_in_use_is_a_runtime_failure_naming_it() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        with pytest.raises(StartupFailure) as raised:
            check_listening("127.0.0.1", port)

    assert raised.value.exit_status == 1
    assert raised.value.message.startswith(f"cannot listen on 127.0.0.1:{port} (")
    assert "choose another port (--port, ASKDOCS_SERVER__PORT)" in raised.value.message


def test_an_address_this_machine_lacks_is_a_configuration_error() -> None:
    with pytest.raises(StartupFailure) as raised:
        check_listening("192.0.2.1", 8000)  # TEST-NET-1: on no interface

    assert raised.value.exit_status == 2
    assert "(--host, ASKDOCS_SERVER__HOST)" in raised.value.message


def test_a_free_port_passes_and_is_left_free() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    check_listening("127.0.0.1", port)

    with socket.socket() as again:
        again.bind(("127.0.0.1", port))


def test_version_prints_the_release(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"askdocs {askdocs.__version__}"


def test_the_changelog_has_an_entry_for_this_version() -> None:
    changelog = (Path(__file__).resolve().parents[2] / "CHANGELOG.md").read_text()
    newest = next(line for line in changelog.splitlines() if line.startswith("## "))

    assert newest.split()[1] == askdocs.__version__
