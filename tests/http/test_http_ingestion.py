"""The document API around ingestion: URL uploads and their address policy, failed versions
retried and deleted, listing by name text."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.http.conftest import Api, StartApi

NOTES = b"The night ferry carries bicycles free of charge on weekdays.\n"


class _Notes(BaseHTTPRequestHandler):
    server: _RecordingServer

    def do_GET(self) -> None:
        self.server.paths.append(self.path)
        if self.path == "/to-loopback":
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.2:{self.server.server_port}/notes.txt")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(NOTES)))
        self.end_headers()
        self.wfile.write(NOTES)

    def log_message(self, *args: Any) -> None:
        pass


class _RecordingServer(ThreadingHTTPServer):
    paths: list[str]


@pytest.fixture
def notes_server() -> Iterator[_RecordingServer]:
    """A server on loopback that would answer every request."""
    server = _RecordingServer(("127.0.0.1", 0), _Notes)
    server.paths = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


async def _post_url(api: Api, url: str) -> Any:
    return await api.client.post("/api/v1/docs", json={"url": url}, headers=api.auth("editor"))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/notes.txt",
        "http://localhost:{port}/notes.txt",
        "http://10.0.0.1/notes.txt",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
    ],
)
async def test_urls_to_private_or_local_addresses_are_refused_before_any_request(
    api: Api, notes_server: _RecordingServer, problem: Any, url: str
) -> None:
    response = await _post_url(api, url.format(port=notes_server.server_port))

    problem(response, 422)
    assert notes_server.paths == []
    assert (await api.client.get("/api/v1/docs", headers=api.auth("reader"))).json()["total"] == 0


@pytest.mark.parametrize(
    "url",
    ["http://a..b/", f"http://{'a' * 64}.example/", f"http://{'a.' * 130}example/",
     "http://xn--/", "http://.example/", "https://exa\u00e9..mple/"],
)  # fmt: skip
async def test_a_url_whose_host_name_cannot_exist_is_a_422(api: Api, problem: Any, url: str):
    response = await _post_url(api, url)

    assert "host" in problem(response, 422)["detail"] or "URL" in response.json()["detail"]


async def test_an_allowlisted_url_is_fetched_ingested_and_records_where_it_came_from(
    start_api: StartApi, notes_server: _RecordingServer
) -> None:
    api = await start_api({"ASKDOCS_FETCH__ALLOW": "127.0.0.1/32"})
    url = f"http://127.0.0.1:{notes_server.server_port}/night-ferry.txt"

    response = await _post_url(api, url)

    assert response.status_code == 202, response.text
    version = await api.settled(response.json()["status_url"])
    assert (version["status"], version["source_url"]) == ("ready", url)
    assert version["media_type"] == "text/plain"
    reply = await api.ask("Does the night ferry carry bicycles?")
    assert reply["sources"][0]["document"] == "night-ferry.txt"


async def test_a_redirect_from_an_allowed_address_to_a_refused_one_is_refused(
    start_api: StartApi, notes_server: _RecordingServer, problem: Any
) -> None:
    api = await start_api({"ASKDOCS_FETCH__ALLOW": "127.0.0.1/32"})

    # 127.0.0.2 is loopback too, but only 127.0.0.1 is allowed: the redirect is checked
    # again and refused before anything connects to it.
    response = await _post_url(api, f"http://127.0.0.1:{notes_server.server_port}/to-loopback")

    problem(response, 422)
    assert notes_server.paths == ["/to-loopback"]


async def test_a_failed_version_is_retried_and_a_failed_one_can_be_deleted(
    api: Api, problem: Any
) -> None:
    broken = await api.upload_ok("broken.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Cat")
    assert broken["status"] == "failed"
    document_id, url = broken["document_id"], broken["status_url"]

    not_failed = await api.upload_ok("notes.txt", NOTES)
    refused = await api.client.post(f"{not_failed['status_url']}/retry", headers=api.auth("editor"))
    problem(refused, 409)

    retried = await api.client.post(f"{url}/retry", headers=api.auth("editor"))
    assert retried.status_code == 202, retried.text
    assert (retried.json()["status"], retried.json()["attempts"]) == ("queued", 0)
    again = await api.settled(url)
    assert (again["status"], again["attempts"]) == ("failed", 1)

    by_reader = await api.client.delete(url, headers=api.auth("reader"))
    assert by_reader.status_code == 403
    deleted = await api.client.delete(url, headers=api.auth("editor"))
    assert deleted.status_code == 204
    problem(await api.client.get(url, headers=api.auth("reader")), 404)
    document = await api.client.get(f"/api/v1/docs/{document_id}", headers=api.auth("reader"))
    assert document.json()["versions"] == []
    problem(await api.client.delete(not_failed["status_url"], headers=api.auth("editor")), 409)


async def test_documents_are_listed_by_text_in_their_name(api: Api) -> None:
    await api.upload_ok("Heating Manual.txt", b"The boiler needs a yearly service.\n")
    await api.upload_ok("garden.txt", b"Tomatoes want sun and water.\n")

    listing = await api.client.get(
        "/api/v1/docs", params={"q": "heating"}, headers=api.auth("reader")
    )

    assert [d["name"] for d in listing.json()["items"]] == ["Heating Manual.txt"]


async def test_a_json_upload_without_a_url_is_a_422_problem(api: Api, problem: Any) -> None:
    response = await api.client.post(
        "/api/v1/docs", json={"link": "http://example.com"}, headers=api.auth("editor")
    )

    problem(response, 422)
