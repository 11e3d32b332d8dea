"""The chat page at `/`, used as a person would: sign in, upload, ask, read, rate, reset."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.conftest import Watched, serve, sign_in, watch
from tests.e2e.conftest import Server
from tests.support.fake_llm import FakeLLM, Outcome, Reply
from tests.support.pdf import make_pdf

pytestmark = pytest.mark.e2e

PAGES = [
    "Welcome to the staff handbook of the harbour office.",
    "Bicycles are stored in the basement garage, next to the lifts.",
    "The canteen opens at half past seven and closes at two.",
]
QUESTION = "Where are bicycles stored?"
CANTEEN = "When does the canteen open?"
PIECES = ["Bicycles ", "are kept ", "in the ", "basement ", "garage [1]."]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def handbook(tmp_path: Path) -> Path:
    path = tmp_path / "handbook.pdf"
    path.write_bytes(make_pdf(PAGES))
    return path


@pytest.fixture(scope="module")
def canteen_guide(server: Server, keys: Any) -> None:
    """A document uploaded over the API, ready before the test that needs it starts."""
    pdf = make_pdf(["The canteen opens at half past seven and closes at two."])
    _upload_ready(server, keys, "canteen.pdf", pdf)


def _upload_ready(server: Server, keys: Any, name: str, pdf: bytes) -> None:
    with _admin(server, keys) as admin:
        accepted = admin.post("/api/v1/docs", files={"file": (name, pdf)}).json()
        deadline = time.monotonic() + 60
        while admin.get(accepted["status_url"]).json()["status"] != "ready":
            assert time.monotonic() < deadline, f"{name} did not become ready"
            time.sleep(0.2)


def upload_and_wait(page: Any, *files: Path) -> None:
    page.get_by_role("button", name="Documents").click()
    page.set_input_files("#files", [str(f) for f in files])
    for file in files:
        row = page.locator("#uploads li", has_text=file.name)
        row.and_(page.locator("[data-status='ready']")).wait_for(timeout=60_000)


def test_an_editor_uploads_asks_opens_a_source_rates_and_resets(
    browser: Any, server: Server, keys: Any, fake_llm: FakeLLM, handbook: Path,
    artifacts: Path, tmp_path: Path,
) -> None:  # fmt: skip
    context = browser.new_context(viewport=DESKTOP)
    watched = watch(context)
    page = watched.page
    token = keys["editor"][0]
    sign_in(page, server, token)
    assert page.locator("#whoami").inner_text() == "Signed in as editor"
    page.wait_for_function("document.activeElement.id === 'question'")  # ready to type

    # Upload: the PDF goes through to ready; an 11 MB file is refused in the page, unsent.
    upload_and_wait(page, handbook)
    too_big = tmp_path / "too-big.pdf"
    too_big.write_bytes(b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024))
    posts_before = _document_posts(watched)
    page.set_input_files("#files", str(too_big))
    refused = page.locator("#uploads li", has_text="too-big.pdf")
    assert "over the 10 MB limit" in refused.inner_text()
    assert _document_posts(watched) == posts_before
    page.screenshot(path=str(artifacts / "documents-desktop.png"), full_page=True)

    # Ask with the keyboard; the answer arrives in pieces before it completes.
    fake_llm.script(Reply.from_chunks(PIECES, chunk_delay=0.4))
    page.get_by_role("button", name="Chat").click()
    page.get_by_label("Question").fill(QUESTION)
    page.get_by_label("Question").press("Enter")
    answer = page.locator("#conversation .answer").last
    page.wait_for_function(
        "() => { const a = [...document.querySelectorAll('#conversation .answer')].pop();"
        " return a && a.textContent.length > 0 && !document.querySelector('.feedback'); }"
    )
    partial = answer.inner_text()
    page.locator(".feedback").wait_for()
    whole = answer.inner_text()
    assert whole == "".join(PIECES)
    assert 0 < len(partial) < len(whole)
    assert whole.startswith(partial)

    # The cited source: its document, its page, the original opened at that page.
    source = page.locator(".sources li").first
    assert "handbook.pdf, page 2" in source.inner_text()
    with context.expect_page() as opened:
        source.get_by_role("button").click()
    assert opened.value.url.startswith("blob:" + server.url)
    assert opened.value.url.endswith("#page=2")
    opened.value.close()

    # Feedback with a comment, stored for admins to read.
    page.get_by_label("Comment on this answer").fill("Exactly what I needed")
    page.get_by_role("button", name="Helpful", exact=False).first.click()
    page.locator(".feedback [role=status]:has-text('feedback saved')").wait_for()
    stored = _admin(server, keys).get("/api/v1/feedback").json()["items"]
    assert [(f["rating"], f["comment"]) for f in stored] == [("up", "Exactly what I needed")]
    page.screenshot(path=str(artifacts / "chat-desktop.png"), full_page=True)

    # Reset: the conversation is gone from the page and from the server.
    with page.expect_response(lambda r: "/api/v1/chat/sessions/" in r.url) as deleted:
        page.get_by_role("button", name="New conversation").click()
    assert deleted.value.status == 204
    assert page.locator("#conversation li").count() == 0

    assert watched.console_errors == []
    assert watched.hosts() == {"127.0.0.1"}
    assert not [url for url in watched.requested if token in url]
    assert token not in server.log()
    context.close()


def test_stop_cancels_an_answer_while_it_streams(
    browser: Any, server: Server, keys: Any, fake_llm: FakeLLM, canteen_guide: None
) -> None:
    fake_llm.reset()
    fake_llm.script(Reply.from_chunks([f"word{n} " for n in range(100)], chunk_delay=0.1))
    context = browser.new_context(viewport=DESKTOP)
    watched = watch(context)
    page = watched.page
    sign_in(page, server, keys["reader"][0])

    page.get_by_label("Question").fill(CANTEEN)
    page.get_by_role("button", name="Ask").click()
    page.wait_for_function("() => document.querySelector('#conversation .answer')?.textContent")
    page.get_by_role("button", name="Stop").click()
    page.wait_for_function(
        "() => document.querySelector('#conversation .answer').textContent.endsWith('[stopped]')"
    )

    assert len(page.locator("#conversation .answer").inner_text().split()) < 100
    assert fake_llm.wait_for_stream_end(10.0).outcome is Outcome.DISCONNECTED
    assert page.get_by_role("button", name="Ask").is_enabled()
    assert watched.console_errors == []
    context.close()


def test_documents_are_filtered_renamed_retagged_deleted_and_restored(
    browser: Any, server: Server, keys: Any, tmp_path: Path
) -> None:
    manual = tmp_path / "manual.pdf"
    manual.write_bytes(make_pdf(["The ferry leaves the quay at nine every morning."]))
    context = browser.new_context(viewport=DESKTOP)
    watched = watch(context)
    page = watched.page
    sign_in(page, server, keys["editor"][0])
    upload_and_wait(page, manual)
    row = page.locator("#document-list tbody tr", has_text="manual.pdf")

    page.once("dialog", lambda dialog: dialog.accept("ferry-manual.pdf"))
    row.get_by_role("button", name="Rename manual.pdf").click()
    row = page.locator("#document-list tbody tr", has_text="ferry-manual.pdf")
    row.wait_for()
    page.once("dialog", lambda dialog: dialog.accept("ferries, timetables"))
    row.get_by_role("button", name="Tags ferry-manual.pdf").click()
    page.wait_for_function(
        "() => document.querySelector('#document-list tbody').textContent.includes('timetables')"
    )

    page.get_by_label("With tags").fill("timetables")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_function("() => document.querySelectorAll('#document-list tbody tr').length == 1")
    assert "ferry-manual.pdf" in page.locator("#document-list tbody").inner_text()

    row.get_by_role("button", name="Delete ferry-manual.pdf").click()
    page.wait_for_function("() => !document.querySelector('#document-list tbody tr')")
    page.get_by_label("Deleted too").check()
    page.get_by_role("button", name="Filter").click()
    row.get_by_role("button", name="Restore ferry-manual.pdf").click()
    row.get_by_role("button", name="Delete ferry-manual.pdf").wait_for()
    listed = _admin(server, keys).get("/api/v1/docs", params={"tags": "timetables"}).json()
    assert [(d["name"], d["tags"], d["deleted"]) for d in listed["items"]] == [
        ("ferry-manual.pdf", ["ferries", "timetables"], False)
    ]
    assert watched.console_errors == []
    context.close()


def test_a_file_that_fails_shows_why_and_can_be_retried(
    browser: Any, server: Server, keys: Any, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer <<>>\n%%EOF\n")
    context = browser.new_context(viewport=DESKTOP)
    watched = watch(context)
    page = watched.page
    sign_in(page, server, keys["editor"][0])
    page.get_by_role("button", name="Documents").click()

    page.set_input_files("#files", str(broken))
    row = page.locator("#uploads li", has_text="broken.pdf")
    row.and_(page.locator("[data-status='failed']")).wait_for(timeout=60_000)
    assert "failed: " in row.inner_text()
    with page.expect_response(lambda r: r.url.endswith("/retry")) as retried:
        row.get_by_role("button", name="Retry").click()
    assert retried.value.status == 202
    row.and_(page.locator("[data-status='failed']")).wait_for(timeout=60_000)
    assert "failed: " in row.inner_text()
    assert row.get_by_role("button", name="Retry").is_visible()
    with _admin(server, keys) as admin:
        failed = admin.get("/api/v1/docs", params={"status": "failed"}).json()["items"]
        version = admin.get(f"/api/v1/docs/{failed[0]['id']}/versions/1").json()
    assert [d["name"] for d in failed] == ["broken.pdf"]
    assert version["error"]
    assert version["error"] in row.inner_text()
    assert watched.console_errors == []
    context.close()


def test_a_reader_is_not_offered_what_only_editors_may_do(
    browser: Any, server: Server, keys: Any, canteen_guide: None
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = watch(context).page
    sign_in(page, server, keys["reader"][0])

    assert page.locator("#whoami").inner_text() == "Signed in as reader"
    page.get_by_role("button", name="Documents").click()
    page.locator("#document-list tbody tr").first.wait_for()
    assert not page.locator("#upload-form").is_visible()
    assert page.locator("#document-list button").count() == 0
    context.close()


def test_the_sampling_settings_show_only_for_a_model_that_samples(
    browser: Any, server: Server, keys: Any
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = watch(context).page
    sign_in(page, server, keys["reader"][0])
    page.locator("#sampling summary").click()

    page.get_by_label("Model", exact=True).select_option("tiny")
    assert page.get_by_label("Temperature", exact=False).is_visible()
    page.get_by_label("Model", exact=True).select_option("extractive")
    assert not page.get_by_label("Temperature", exact=False).is_visible()
    assert "do not change its answers" in page.locator("#sampling-note").inner_text()
    context.close()


def test_the_page_reads_well_on_a_phone_in_dark_mode(
    browser: Any, server: Server, keys: Any, artifacts: Path
) -> None:
    backgrounds = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport=PHONE, color_scheme=scheme, is_mobile=True)
        page = watch(context).page
        sign_in(page, server, keys["editor"][0])
        backgrounds[scheme] = page.evaluate("getComputedStyle(document.body).backgroundColor")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{overflow}px wider than a phone ({scheme})"
        page.screenshot(path=str(artifacts / f"chat-phone-{scheme}.png"), full_page=True)
        page.get_by_role("button", name="Documents").click()
        page.screenshot(path=str(artifacts / f"documents-phone-{scheme}.png"), full_page=True)
        context.close()
    assert backgrounds["light"] != backgrounds["dark"]


def test_the_rate_limit_warns_near_the_limit_and_explains_a_429(
    browser: Any, keys: Any, fake_llm: FakeLLM, tmp_path: Path, handbook: Path, artifacts: Path
) -> None:
    limited = {"ASKDOCS_RATE_LIMIT__READER__CHAT_PER_WINDOW": "10"}
    with serve(tmp_path, keys, fake_llm, **limited) as server:
        _upload_ready(server, keys, handbook.name, handbook.read_bytes())
        context = browser.new_context(viewport=DESKTOP)
        watched = watch(context)
        page = watched.page
        sign_in(page, server, keys["reader"][0])
        page.get_by_label("Model", exact=True).select_option("extractive")
        assert page.locator("#limit-warning").inner_text() == ""

        for asked in range(1, 10):
            _ask_and_wait(page, asked)
        # The extractive answer quotes its source: the quote is highlighted in the snippet.
        quoted = page.locator(".sources mark").first.inner_text()
        assert quoted
        assert quoted in page.locator("#conversation .answer").first.inner_text()
        assert "1 left" in page.locator("#limit-warning").inner_text()
        assert "9 of 10 used" in page.locator("#limit-status").inner_text()
        _ask_and_wait(page, 10)
        page.get_by_label("Question").fill(QUESTION)
        page.get_by_role("button", name="Ask").click()
        error = page.locator("#chat-error")
        error.filter(has_text="Too many questions").wait_for()
        page.screenshot(path=str(artifacts / "rate-limited-desktop.png"), full_page=True)

        # The one error the console shows is the browser's own line for the 429 response.
        assert all("429" in line for line in watched.console_errors), watched.console_errors
        context.close()


def _ask_and_wait(page: Any, count: int) -> None:
    page.get_by_label("Question").fill(QUESTION)
    page.get_by_role("button", name="Ask").click()
    page.wait_for_function(f"() => document.querySelectorAll('.feedback').length == {count}")
    page.wait_for_function("() => !document.querySelector('#ask').disabled")
    time.sleep(0.2)  # the limits refresh after each answer


def _document_posts(watched: Watched) -> int:
    return sum(url.endswith("/api/v1/docs") for url in watched.requested)


def _admin(server: Server, keys: Any) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers={"X-API-Key": keys["admin"][0]}, timeout=30)
