"""The chat page in headless Chromium (Debian's `chromium`, driven by Playwright through its
executable path: no browser download), against a real `askdocs serve` process.

Run by `nox -s browser`; screenshots go to `.artifacts/browser/` (or ASKDOCS_BROWSER_ARTIFACTS).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import Server, create_key, run_server
from tests.support.fake_llm import FakeLLM

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("ASKDOCS_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ROLES = ("reader", "editor", "admin")
NETWORK_SCHEMES = {"http", "https", "ws", "wss", "ftp"}
QUIET_CHROMIUM = [
    # Chromium's own calls home (updates, sync, safe browsing lists): on a closed network they
    # fail noisily, and the page must work without them.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    directory = Path(os.environ.get("ASKDOCS_BROWSER_ARTIFACTS", ROOT / ".artifacts" / "browser"))
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Per module: Playwright's synchronous API runs an event loop in this thread until it
    # stops, which async tests collected after this module could not share.
    if not shutil.which(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=QUIET_CHROMIUM
        )
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def keys() -> dict[str, tuple[str, str]]:
    """A token and its settings entry per role, from `askdocs keys create`."""
    return {role: create_key(role) for role in ROLES}


@pytest.fixture(scope="module")
def fake_llm() -> Iterator[FakeLLM]:
    with FakeLLM.running(api_key="sk-browser") as running:
        yield running


def serve(
    workdir: Path, keys: dict[str, tuple[str, str]], fake_llm: FakeLLM, **settings: str
) -> Any:
    """`askdocs serve` with a key per role and two providers: a streaming model on the fake
    LLM first, the extractive answerer second."""
    return run_server(
        workdir,
        {
            "ASKDOCS_AUTH__API_KEYS": ",".join(entry for _, entry in keys.values()),
            "ASKDOCS_LLM__PROVIDERS": "local,extractive",
            "ASKDOCS_LLM__LOCAL__KIND": "openai",
            "ASKDOCS_LLM__LOCAL__BASE_URL": fake_llm.openai_base_url,
            "ASKDOCS_LLM__LOCAL__API_KEY": "sk-browser",
            "ASKDOCS_LLM__LOCAL__MODELS": "tiny",
            **settings,
        },
    )


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory,
    keys: dict[str, tuple[str, str]],
    fake_llm: FakeLLM,
) -> Iterator[Server]:
    with serve(tmp_path_factory.mktemp("browser"), keys, fake_llm) as running:
        yield running


@dataclasses.dataclass
class Watched:
    """A page with what it logged and requested."""

    page: Any
    console_errors: list[str]
    requested: list[str]

    def hosts(self) -> set[str]:
        """Where requests went over the network (a `blob:` URL is the page's own memory; the
        browser's built-in PDF viewer is a `chrome-extension:` page, not a request out)."""
        urls = [urlsplit(url.removeprefix("blob:")) for url in self.requested]
        return {url.hostname or "" for url in urls if url.scheme in NETWORK_SCHEMES}


def watch(context: Any) -> Watched:
    page = context.new_page()
    watched = Watched(page, [], [])
    page.on(
        "console",
        lambda message: (
            watched.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: watched.console_errors.append(str(error)))
    context.on("request", lambda request: watched.requested.append(request.url))
    return watched


def sign_in(page: Any, server: Server, token: str) -> None:
    """Sign in with the keyboard: type the key, press Enter."""
    page.goto(server.url + "/")
    page.get_by_label("API key").fill(token)
    page.get_by_label("API key").press("Enter")
    page.wait_for_selector("#whoami:has-text('Signed in as')")
