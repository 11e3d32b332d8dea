"""`askdocs` as a user first meets it: flags and a settings file, the test suite's variables in
the shell, and commands that cannot start saying why in one line."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import free_port, run_cli, run_server
from tests.support.postgres import ensure_test_database, postgres_url

pytestmark = pytest.mark.e2e

PASSWORD = "s3cret-pass"


def test_serve_listens_where_its_flags_say_with_the_test_suites_variables_exported(
    tmp_path: Path,
) -> None:
    config = tmp_path / "askdocs.toml"
    # Neither the port nor the address (TEST-NET-1, on no interface here) could serve.
    config.write_text(f'[server]\nport = {free_port()}\nhost = "192.0.2.1"\n', encoding="utf-8")
    flagged = free_port()
    settings = {
        "ASKDOCS_SERVER__PORT": str(free_port()),  # run_server's own, which the flag overrides
        # what the test helpers read, exported in the developer's shell
        "ASKDOCS_TEST_DATABASE_URL": postgres_url(),
        "ASKDOCS_TEST_REDIS_URL": "redis://127.0.0.1:6379/0",
        "ASKDOCS_REQUIRE_SERVICES": "1",
    }
    arguments = ("--config", str(config), "--port", str(flagged), "--host", "127.0.0.1")

    with run_server(tmp_path, settings, arguments) as server:
        documents = httpx.get(
            f"http://127.0.0.1:{flagged}/api/v1/docs",
            headers={"X-API-Key": server.admin_key or ""},
            timeout=5,
        )

    assert documents.status_code == 200, documents.text


def test_serve_with_an_unknown_setting_stops_with_one_line_and_status_2() -> None:
    done = run_cli("serve", ASKDOCS_DATABASE_URL="postgresql://127.0.0.1/askdocs")

    assert done.returncode == 2
    assert done.stderr == (
        "askdocs serve: unknown setting ASKDOCS_DATABASE_URL (did you mean "
        "ASKDOCS_DATABASE__URL?); docs/operations.md lists every setting\n"
    )


def test_serve_with_a_database_nobody_listens_for_stops_with_one_line_and_status_1() -> None:
    port = free_port()

    done = run_cli(
        "serve", ASKDOCS_DATABASE__URL=f"postgresql://askdocs:{PASSWORD}@127.0.0.1:{port}/askdocs"
    )

    assert done.returncode == 1
    assert done.stderr == (
        f"askdocs serve: cannot reach PostgreSQL at 127.0.0.1:{port} (connection refused): "
        "is it running? set ASKDOCS_DATABASE__URL\n"
    )


@pytest.mark.parametrize("command", [("migrate",), ("worker",), ("keys", "list")])
def test_a_role_the_server_lacks_stops_each_command_with_one_line_and_status_1(command) -> None:
    asyncio.run(ensure_test_database(postgres_url()))  # skips (or fails in CI) without a server
    role = f"nobody_{uuid.uuid4().hex[:8]}"
    server = httpx.URL(postgres_url())
    url = f"postgresql://{role}:{PASSWORD}@{server.host}:{server.port or 5432}/askdocs_test"

    done = run_cli(*command, ASKDOCS_DATABASE__URL=url)

    assert done.returncode == 1, done.stderr
    assert done.stderr.count("\n") == 1
    assert f'refused the login (role "{role}" does not exist): create that role' in done.stderr
    assert PASSWORD not in done.stderr
