"""`askdocs serve --demo`: the first question answers at once, from the shipped guide."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import run_server

pytestmark = pytest.mark.e2e


def test_serve_demo_answers_the_first_question_from_the_demo_corpus(tmp_path) -> None:
    with (
        run_server(tmp_path, {}, ("--demo",)) as server,
        httpx.Client(
            base_url=server.url, headers={"X-API-Key": server.admin_key or ""}, timeout=60
        ) as client,
    ):
        documents = client.get("/api/v1/docs?tags=demo").json()
        reply = client.post(
            "/api/v1/chat", json={"question": "Which file formats can I upload?"}
        ).json()

    assert documents["total"] == 3
    assert {d["status"] for d in documents["items"]} == {"ready"}
    assert reply["answered"] is True
    assert "upload PDF, DOCX, HTML, Markdown and plain text files" in reply["answer"]
    assert reply["sources"][0]["document"] == "uploading-documents.md"
    assert reply["sources"][0]["tags"] == ["demo"]


def test_the_demo_corpus_says_where_it_comes_from() -> None:
    from importlib import resources

    readme = resources.files("askdocs.entrypoints.demo_corpus").joinpath("README.md")

    assert "public domain" in readme.read_text()
