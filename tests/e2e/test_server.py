"""The served app end to end: a real `askdocs serve` process, real HTTP, and the real CLI."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from askdocs.domain.principals import token_digest
from askdocs.entrypoints.cli.main import main
from tests.e2e.conftest import settle
from tests.support.pdf import make_pdf

pytestmark = pytest.mark.e2e

URL_SAFE_TOKEN = re.compile(r"^[A-Za-z0-9_\-]{32,}$")
PROBLEM_JSON = "application/problem+json"
GUIDE_PAGES = [
    "The observatory dome rotates on twelve steel wheels.",
    "The telescope mirror measures two metres across its face.",
    "Stargazing evenings begin at nine o'clock every Thursday.",
    "The planetarium projector was restored by volunteers in spring.",
    "Visitors borrow red torches from the desk beside the cloakroom.",
]
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"


def assert_problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    return body


def upload(client: httpx.Client, name: str, data: bytes, **form: str) -> httpx.Response:
    """Upload, and once accepted wait for the worker to settle the version."""
    response = client.post("/api/v1/docs", files={"file": (name, data)}, data=form or None)
    if response.status_code in (200, 202):
        settle(client, response.json()["status_url"])
    return response


def ask(client: httpx.Client, question: str) -> dict:
    response = client.post("/api/v1/chat", json={"question": question})
    assert response.status_code == 200, response.text
    return response.json()


def test_health_answers_without_a_key(server):
    live = httpx.get(f"{server.url}/health/live")
    ready = httpx.get(f"{server.url}/health/ready")

    assert (live.status_code, live.json()["status"]) == (200, "ok")
    assert (ready.status_code, ready.json()["status"]) == (200, "ok")


def test_head_is_answered_like_get_without_a_body(server, admin):
    live = httpx.head(f"{server.url}/health/live")
    documents = admin.head("/api/v1/docs")
    listed = admin.get("/api/v1/docs")

    assert (live.status_code, live.content) == (200, b"")
    assert (documents.status_code, documents.content) == (200, b"")
    assert documents.headers["content-length"] == str(len(listed.content))


def test_serve_prints_a_url_safe_admin_key_that_opens_the_api(server, admin):
    assert URL_SAFE_TOKEN.match(server.admin_key)

    response = admin.get("/api/v1/docs")

    assert response.status_code == 200


def test_a_question_about_page_three_is_answered_from_page_three(admin):
    accepted = upload(admin, "observatory-guide.pdf", make_pdf(GUIDE_PAGES), tags="guide")
    assert accepted.status_code == 202, accepted.text
    document_id = accepted.json()["document_id"]
    status = admin.get(accepted.json()["status_url"])
    assert status.json()["status"] == "ready"

    reply = ask(admin, "When do the stargazing evenings begin?")

    assert GUIDE_PAGES[2] in reply["answer"]
    assert {
        "document_id": document_id,
        "document": "observatory-guide.pdf",
        "page": 3,
    }.items() <= reply["sources"][0].items()
    assert reply["cached"] is False
    assert reply["degraded"] is False


def test_a_request_without_a_key_is_a_401_problem(server):
    response = httpx.post(f"{server.url}/api/v1/chat", json={"question": "Hello?"})

    assert_problem(response, 401)


def test_a_reader_may_chat_but_uploading_is_a_403_problem(keyed_server):
    server, keys = keyed_server
    with httpx.Client(base_url=server.url, headers={"X-API-Key": keys["reader"]}) as reader:
        chat = reader.post("/api/v1/chat", json={"question": "Is anything uploaded yet?"})
        refused = upload(reader, "notes.txt", b"Notes a reader should not be able to upload.")
    admin = httpx.get(f"{server.url}/api/v1/docs", headers={"X-API-Key": keys["admin"]})

    assert chat.status_code == 200
    assert_problem(refused, 403)
    assert admin.status_code == 200
    assert admin.json()["total"] == 0


def test_uploads_over_the_ten_megabyte_default_are_413_problems(admin):
    limit = 10 * 1024 * 1024

    just_over = upload(admin, "just-over.txt", b"a" * (limit + 1))
    far_over = upload(admin, "far-over.txt", b"a" * (limit + 2 * 1024 * 1024))

    assert str(limit) in assert_problem(just_over, 413)["detail"]
    assert_problem(far_over, 413)


def test_png_bytes_named_pdf_are_a_415_problem(admin):
    response = upload(admin, "scan.pdf", PNG)

    assert_problem(response, 415)


def test_a_broken_pdf_is_accepted_then_fails_with_a_reason(admin):
    response = upload(admin, "broken.pdf", b"%PDF-1.7\n1 0 obj\n<< /Pages 2 0 R")

    assert response.status_code == 202, response.text
    version = settle(admin, response.json()["status_url"])
    assert version["status"] == "failed"
    assert "PDF" in version["error"]


def test_a_soft_deleted_document_is_no_longer_cited(admin):
    text = b"The ferry to the lighthouse island leaves from pier seventeen at dawn."
    document_id = upload(admin, "ferry.txt", text).json()["document_id"]
    question = "Which pier does the lighthouse ferry leave from?"
    cited = ask(admin, question)
    assert cited["sources"][0]["document_id"] == document_id

    deleted = admin.delete(f"/api/v1/docs/{document_id}")
    after = ask(admin, question)

    assert deleted.status_code == 204
    assert all(s["document_id"] != document_id for s in after["sources"])
    assert "pier seventeen" not in after["answer"]


def test_an_identical_reupload_is_a_200_no_op_with_the_same_version(admin):
    data = make_pdf(["The greenhouse keeps its orchids at exactly twenty-two degrees."])
    first = upload(admin, "greenhouse.pdf", data)

    again = upload(admin, "greenhouse.pdf", data)

    assert first.status_code == 202
    assert again.status_code == 200
    assert again.json()["document_id"] == first.json()["document_id"]
    assert again.json()["version"] == first.json()["version"] == 1
    versions = admin.get(f"/api/v1/docs/{first.json()['document_id']}").json()["versions"]
    assert len(versions) == 1


def test_cli_ingest_uploads_a_folder_and_ask_prints_the_answer_with_its_source(
    server, admin, tmp_path, monkeypatch, capsys
):
    folder = tmp_path / "docs"
    (folder / "nested").mkdir(parents=True)
    (folder / "beekeeping.pdf").write_bytes(
        make_pdf(
            [
                "Hives are inspected every second week in summer.",
                "Each beekeeper harvests honey from the hives in late August.",
            ]
        )
    )
    (folder / "nested" / "pond.md").write_text("# Pond\n\nThe pond holds eleven goldfish.\n")
    (folder / ".hidden").write_text("never uploaded")
    monkeypatch.setenv("ASKDOCS_API_KEY", server.admin_key)
    monkeypatch.setenv("ASKDOCS_URL", server.url)

    ingested = main(["ingest", "--tags", "garden", str(folder)])

    assert ingested == 0
    assert "2 of 2 files ingested" in capsys.readouterr().out
    listing = admin.get("/api/v1/docs", params={"tags": "garden"}).json()
    assert {d["name"] for d in listing["items"]} == {"beekeeping.pdf", "pond.md"}

    asked = main(["ask", "--tags", "garden", "--top-k", "3", "When is honey harvested?"])

    out = capsys.readouterr().out
    assert asked == 0
    assert "Each beekeeper harvests honey from the hives in late August." in out
    assert "[1] beekeeping.pdf, page 2" in out


def test_cli_ingest_returns_1_when_a_file_is_refused_or_missing(
    server, tmp_path, monkeypatch, capsys
):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "photo.pdf").write_bytes(PNG)
    (folder / "bakery.txt").write_text("The bakery sells rye bread only on Saturdays.")
    missing = tmp_path / "missing.txt"
    monkeypatch.setenv("ASKDOCS_API_KEY", server.admin_key)

    status = main(["ingest", "--url", server.url, str(folder), str(missing)])

    captured = capsys.readouterr()
    assert status == 1
    assert "1 of 3 files ingested" in captured.out
    assert "HTTP 415" in captured.err
    assert "missing.txt" in captured.err


def test_cli_ingest_uploads_several_at_once_and_reports_each_file_in_order(
    server, tmp_path, monkeypatch, capsys
):
    folder = tmp_path / "harbour"
    folder.mkdir()
    names = [f"berth-{n:02}.txt" for n in range(12)]
    for n, name in enumerate(names):
        (folder / name).write_text(f"Berth {n} takes boats of up to {n + 5} metres.")
    (folder / "berth-05b.pdf").write_bytes(PNG)  # refused: not a PDF
    monkeypatch.setenv("ASKDOCS_API_KEY", server.admin_key)

    status = main(["ingest", "--url", server.url, "--concurrency", "4", str(folder)])

    captured = capsys.readouterr()
    assert status == 1
    assert "12 of 13 files ingested" in captured.out
    ready = [line.split(":")[0] for line in captured.out.splitlines() if ": ready" in line]
    assert [Path(path).name for path in ready] == names
    assert "berth-05b.pdf: HTTP 415" in captured.err


def test_cli_ask_returns_1_when_the_server_cannot_be_reached(dead_url, monkeypatch, capsys):
    monkeypatch.setenv("ASKDOCS_API_KEY", "askd_irrelevant")
    monkeypatch.setenv("ASKDOCS_URL", dead_url)

    status = main(["ask", "Is anyone there?"])

    assert status == 1
    assert "cannot reach" in capsys.readouterr().err


def test_cli_health_prints_a_running_servers_readiness_without_a_key(server, monkeypatch, capsys):
    monkeypatch.delenv("ASKDOCS_API_KEY", raising=False)
    monkeypatch.setenv("ASKDOCS_URL", server.url)

    status = main(["health"])

    lines = capsys.readouterr().out.splitlines()
    assert status == 0
    assert "documents: memory" in lines
    assert lines[-1] == "status: ok"


def test_cli_ask_returns_1_with_the_problem_when_the_key_is_refused(server, monkeypatch, capsys):
    monkeypatch.setenv("ASKDOCS_API_KEY", "askd_not-a-key-the-server-knows")

    status = main(["ask", "--url", server.url, "Is anyone there?"])

    assert status == 1
    assert "HTTP 401" in capsys.readouterr().err


def test_cli_keys_create_prints_a_token_and_its_sha256_role_entry(capsys, monkeypatch):
    monkeypatch.delenv("ASKDOCS_URL", raising=False)
    monkeypatch.delenv("ASKDOCS_DATABASE__URL", raising=False)
    status = main(["keys", "create", "--role", "editor"])

    out = capsys.readouterr().out
    token = re.search(r"^editor API key: (\S+)$", out, re.MULTILINE).group(1)
    entry = re.search(r"\(comma-separated\): ([0-9a-f]{64}):(\w+)$", out, re.MULTILINE)
    assert status == 0
    assert URL_SAFE_TOKEN.match(token)
    assert entry.group(1) == token_digest(token)
    assert entry.group(2) == "editor"


def test_the_admin_key_never_reaches_the_server_log(server, admin):
    admin.post("/api/v1/chat", json={"question": "Does the log keep my key?"})
    admin.get("/api/v1/docs", headers={"Authorization": f"Bearer {server.admin_key}"})

    log = server.log()

    assert '"event": "request"' in log
    assert f'"principal": "key:{token_digest(server.admin_key or "")[:12]}"' in log
    assert server.admin_key not in log
