"""`askdocs migrate --wait`: a stack started all at once (compose) runs migrate beside a
PostgreSQL that is still coming up; migrate waits for it, and only for what may mend itself."""

from __future__ import annotations

import subprocess
import time

import pytest

from tests.e2e.conftest import base_environment, cli_command, run_cli
from tests.support.private_postgres import private_postgres

pytestmark = pytest.mark.e2e


def test_migrate_waits_for_a_database_that_comes_up_and_then_migrates() -> None:
    with private_postgres() as postgres:
        postgres.stop()
        migrate = subprocess.Popen(
            cli_command("migrate", "--wait", "60"),
            env=base_environment(ASKDOCS_DATABASE__URL=postgres.url),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            time.sleep(3)  # refused for a few tries
            assert migrate.poll() is None, migrate.communicate()
            postgres.start()
            out, err = migrate.communicate(timeout=120)
        finally:
            migrate.kill()

    assert migrate.returncode == 0, err
    assert out.startswith(
        f"waiting up to 60 s for PostgreSQL: cannot reach PostgreSQL at 127.0.0.1:{postgres.port} "
        "(connection refused)"
    ), out
    assert out.count("waiting up to") == 1, "said once, not at every try"
    assert "migration(s) applied" in out


def test_without_wait_an_unreachable_database_fails_at_once() -> None:
    with private_postgres() as postgres:
        postgres.stop()
        migrated = run_cli("migrate", ASKDOCS_DATABASE__URL=postgres.url)
        postgres.start()

    assert migrated.returncode == 1
    assert "connection refused" in migrated.stderr
    assert "waiting" not in migrated.stdout


def test_a_database_that_does_not_exist_is_not_waited_for() -> None:
    with private_postgres() as postgres:
        missing = postgres.url.rsplit("/", 1)[0] + "/no_such_database"
        # It would wait ten minutes, past run_cli's timeout, if it took this for a server
        # starting up.
        migrated = run_cli("migrate", "--wait", "600", ASKDOCS_DATABASE__URL=missing)

    assert migrated.returncode == 1
    assert '"no_such_database" does not exist' in migrated.stderr
    assert "waiting" not in migrated.stdout
