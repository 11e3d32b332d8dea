"""Schemathesis against a real `askdocs serve`, embedded and on PostgreSQL: no 5xx, and every
answer is one the OpenAPI document declares (status, media type, headers, body).

`nox -s schemathesis` runs it with the `fuzz` dependency group; elsewhere it skips unless
schemathesis is installed. ASKDOCS_FUZZ_EXAMPLES bounds the cases per operation and phase.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import Server, migrated_schema_url, run_server, run_worker, settle

pytest.importorskip("schemathesis")
pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CONFIG = Path(__file__).with_name("schemathesis.toml")
MAX_EXAMPLES = os.environ.get("ASKDOCS_FUZZ_EXAMPLES", "100")
RUN_TIMEOUT_S = 600
SOFT_DELETE_UNAWARE = "use_after_free,ensure_resource_availability"
"""A soft-deleted document stays readable, marked deleted, until restored (only its stored
original answers 404 meanwhile); `use_after_free` takes that for a leak. And since routes
naming a document are pinned to the seed document (schemathesis.toml), a stateful step from
an upload reads the seed document, not the one uploaded: once another step has deleted it,
its original answers 404, which `ensure_resource_availability` takes for an upload that
vanished (seen once in CI). tests/http/test_http_originals.py reads uploads back."""
SEED_DOCUMENT = b"# Bicycles\n\nBicycles are stored in the basement racks near the east stairs.\n"
UNLIMITED = "1000000000"
SETTINGS = {
    # The fuzzer should reach the handlers, not a used-up limit (429 is declared and tested);
    # it sends wrong keys on purpose, which would soon close the address to every request.
    **{f"ASKDOCS_RATE_LIMIT__ADMIN__{group}_PER_WINDOW": UNLIMITED for group in ("CHAT", "WRITES")},
    "ASKDOCS_RATE_LIMIT__FAILED_SIGN_INS_PER_WINDOW": UNLIMITED,
}


def seed_document(server: Server) -> str:
    """Upload one document and wait until it is ready; its id."""
    assert server.admin_key is not None
    with httpx.Client(base_url=server.url, headers={"X-API-Key": server.admin_key}) as client:
        response = client.post("/api/v1/docs", files={"file": ("bicycles.md", SEED_DOCUMENT)})
        assert response.status_code == 202, response.text
        assert settle(client, response.json()["status_url"])["status"] == "ready"
        return str(response.json()["document_id"])


def schemathesis(server: Server, document_id: str) -> subprocess.CompletedProcess[str]:
    """`st run` with every check against the server's own document, as its admin."""
    command = [
        sys.executable, "-m", "schemathesis.cli",
        "--config-file", str(CONFIG),
        "run", f"{server.url}/schema/openapi.json",
        "--checks", "all",
        "--exclude-checks", SOFT_DELETE_UNAWARE,
        "--max-examples", MAX_EXAMPLES,
        "--header", f"X-API-Key: {server.admin_key}",
        "--workers", "2",
        "--request-timeout", "30",
        "--output-truncate", "false",
        "--no-color",
    ]  # fmt: skip
    return subprocess.run(
        command,
        env={**os.environ, "ASKDOCS_FUZZ_DOCUMENT": document_id},
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )


@contextlib.contextmanager
def served(backend: str, workdir: Path) -> Iterator[Server]:
    """`askdocs serve` on the embedded defaults, or on PostgreSQL with a worker beside it."""
    with contextlib.ExitStack() as stack:
        settings = dict(SETTINGS)
        if backend == "postgres":
            settings["ASKDOCS_DATABASE__URL"] = stack.enter_context(migrated_schema_url())
            stack.enter_context(run_worker(workdir, settings))
        yield stack.enter_context(run_server(workdir, settings))


@pytest.mark.parametrize("backend", ["embedded", "postgres"])
def test_a_real_server_answers_only_what_its_openapi_document_declares(
    backend: str, tmp_path: Path
) -> None:
    with served(backend, tmp_path) as server:
        outcome = schemathesis(server, seed_document(server))
        unhandled = [line for line in server.log().splitlines() if "unhandled_error" in line]

    report = re.sub(r"askd_[\w-]+", "askd_…", outcome.stdout + outcome.stderr)
    assert outcome.returncode == 0, report
    assert not unhandled, "\n".join(unhandled)
