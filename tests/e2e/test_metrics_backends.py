"""Metrics backends of real `askdocs serve` processes: Prometheus summed over processes,
DogStatsD lines from the request path."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from askdocs.application.api_keys import new_token
from askdocs.domain.principals import token_digest
from tests.e2e.conftest import Server, run_server
from tests.support.dogstatsd import DogStatsdListener

pytestmark = pytest.mark.e2e

ASKED = re.compile(r'^askdocs_ask_seconds_count\{outcome="\w+"\} (\S+)$', re.MULTILINE)


def ask(server: Server, token: str, times: int) -> None:
    with httpx.Client(base_url=server.url, headers={"X-API-Key": token}, timeout=60) as client:
        for number in range(times):
            response = client.post("/api/v1/chat", json={"question": f"Question {number}?"})
            assert response.status_code == 200, response.text


def questions_counted(server: Server) -> float:
    """Questions the scrape of `server` counts, over every outcome."""
    response = httpx.get(f"{server.url}/metrics", timeout=30)
    assert response.status_code == 200
    return sum(float(value) for value in ASKED.findall(response.text))


def reader_key() -> tuple[str, dict[str, str]]:
    token = new_token()
    return token, {"ASKDOCS_AUTH__API_KEYS": f"{token_digest(token)}:reader"}


def test_two_server_processes_sharing_a_multiprocess_dir_are_scraped_as_one(
    tmp_path: Path,
) -> None:
    token, keys = reader_key()
    shared = tmp_path / "prometheus"
    shared.mkdir()
    settings = {**keys, "ASKDOCS_METRICS__BACKEND": "prometheus"}
    settings["PROMETHEUS_MULTIPROC_DIR"] = str(shared)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with run_server(tmp_path / "a", settings) as a, run_server(tmp_path / "b", settings) as b:
        ask(a, token, 3)
        ask(b, token, 2)

        assert questions_counted(a) == 5
        assert questions_counted(b) == 5


def test_server_workers_share_a_directory_of_their_own_removed_at_exit(tmp_path: Path) -> None:
    token, keys = reader_key()
    settings = {
        **keys,
        "ASKDOCS_METRICS__BACKEND": "prometheus",
        "ASKDOCS_SERVER__WORKERS": "2",
        "TMPDIR": str(tmp_path),
    }
    with run_server(tmp_path, settings) as server:
        ask(server, token, 8)

        assert questions_counted(server) == 8
        assert len(list(tmp_path.glob("askdocs-prometheus-*"))) == 1
    assert list(tmp_path.glob("askdocs-prometheus-*")) == []


def test_a_chat_sends_dogstatsd_lines_with_its_names_and_tags(tmp_path: Path) -> None:
    token, keys = reader_key()
    with DogStatsdListener.bound() as listener:
        settings = {
            **keys,
            "ASKDOCS_METRICS__BACKEND": "datadog",
            "ASKDOCS_METRICS__STATSD_HOST": "127.0.0.1",
            "ASKDOCS_METRICS__STATSD_PORT": str(listener.port),
        }
        with run_server(tmp_path, settings) as server:
            ask(server, token, 1)
            lines = listener.receive_until("askdocs.ask_seconds:")

    assert any(
        line.name == "askdocs.answer_cache" and line.kind == "c" and line.tags == ("result:miss",)
        for line in lines
    ), lines
