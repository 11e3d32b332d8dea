"""Malformed and hostile files uploaded to a real `askdocs serve`: each one ends ready or
failed with a reason within the parsing budget, and the server, its worker and the documents
already there carry on as if nothing happened."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.conftest import Server, run_server, settle
from tests.support.malformed import MALFORMED_INPUTS
from tests.support.pdf import make_pdf

PARSE_TIMEOUT_S = 20
GUIDE = ["The ferry to the lighthouse island leaves from pier seventeen at dawn."]
# Refused at once (DESIGN §5: empty files are 422); everything else is accepted and settled.
REFUSED_AT_ONCE = {"empty file"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, httpx.Client]]:
    settings = {
        "ASKDOCS_WORKER__PARSE_CPU_S": str(PARSE_TIMEOUT_S),
        "ASKDOCS_WORKER__PARSE_TIMEOUT_S": str(PARSE_TIMEOUT_S),
        "ASKDOCS_WORKER__PARSE_MEMORY_MB": "512",
        "ASKDOCS_DOCUMENTS__MAX_UPLOAD_BYTES": str(8 * 1024 * 1024),
    }
    with run_server(tmp_path_factory.mktemp("malformed"), settings) as server:
        assert server.admin_key is not None
        headers = {"X-API-Key": server.admin_key}
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
            good = client.post("/api/v1/docs", files={"file": ("ferry.pdf", make_pdf(GUIDE))})
            assert settle(client, good.json()["status_url"])["status"] == "ready"
            yield server, client


@pytest.mark.parametrize("name", sorted(MALFORMED_INPUTS))
def test_a_malformed_upload_ends_ready_or_failed_and_harms_nothing(
    served: tuple[Server, httpx.Client], name: str
) -> None:
    server, client = served
    data, filename = MALFORMED_INPUTS[name]()

    response = client.post("/api/v1/docs", files={"file": (filename, data)})

    if name in REFUSED_AT_ONCE:
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    else:
        assert response.status_code in (202, 415), response.text
        if response.status_code == 202:
            started = time.monotonic()
            version = settle(client, response.json()["status_url"], timeout_s=PARSE_TIMEOUT_S + 30)
            assert version["status"] in ("ready", "failed")
            if version["status"] == "failed":
                assert version["error"], f"{name} failed without a reason"
            assert time.monotonic() - started < PARSE_TIMEOUT_S + 30
    assert server.process.poll() is None, f"the server died on {name}:\n{server.log()}"
    assert client.get("/health/live").status_code == 200
    reply = client.post("/api/v1/chat", json={"question": "Which pier does the ferry leave from?"})
    assert reply.status_code == 200
    assert "pier seventeen" in reply.json()["answer"]


def test_the_server_log_names_no_traceback_of_a_parser(served: tuple[Server, httpx.Client]) -> None:
    server, _ = served
    assert "Traceback" not in server.log()


def test_the_uploads_are_listed_with_their_outcomes(served: tuple[Server, httpx.Client]) -> None:
    _, client = served
    failed = client.get("/api/v1/docs", params={"status": "failed", "limit": 200}).json()
    assert failed["total"] >= 1
    for listed in failed["items"]:
        document = client.get(f"/api/v1/docs/{listed['id']}").json()
        assert document["status"] == "failed"
        assert document["versions"][-1]["error"]
