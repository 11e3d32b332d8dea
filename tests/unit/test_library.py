"""askdocs.Askdocs, the library: documents and answers in process, through the real container."""

from __future__ import annotations

import asyncio
import hashlib
import http.server
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from askdocs import Askdocs, Settings
from askdocs.adapters.fetching.disabled import REFUSAL
from askdocs.application.ask_question import AnswerDelta, AnswerFinished, AnswerStarted
from askdocs.application.errors import InvalidInput, UnprocessableDocument, UnsupportedMediaType
from askdocs.domain.documents import VersionStatus
from askdocs.entrypoints.settings import SettingsError
from tests.support.pdf import make_pdf

RESET = b"To reset the device, hold the reset button for ten seconds."
KETTLE = b"The kettle switches itself off once the water boils."


@pytest.fixture
async def docs() -> AsyncIterator[Askdocs]:
    library = Askdocs()
    yield library
    await library.close()


async def test_an_ingested_document_is_ready_and_cited_by_the_answer(docs: Askdocs) -> None:
    document = await docs.ingest(RESET, filename="manual.txt", tags=["manuals"])

    assert document.name == "manual.txt"
    assert document.tags == ("manuals",)
    assert document.current is not None
    answer = await docs.ask("How do I reset the device?")
    assert "ten seconds" in answer.text
    assert answer.answered
    assert [(s.document, s.document_id) for s in answer.sources] == [("manual.txt", document.id)]


async def test_ingestion_leaves_no_job_behind_for_a_worker(docs: Askdocs) -> None:
    for n in range(5):
        await docs.ingest(RESET + f" Model {n}.".encode(), filename=f"manual-{n}.txt")

    assert docs.container.jobs().pending == 0
    assert await docs.documents(status=VersionStatus.QUEUED) == []
    assert len(await docs.documents(status=VersionStatus.READY)) == 5


async def test_a_file_is_ingested_from_its_path_and_may_be_given_a_title(
    docs: Askdocs, tmp_path: Path
) -> None:
    path = tmp_path / "zoo.pdf"
    path.write_bytes(make_pdf(["The narwhal hunts cod under the arctic ice."]))

    document = await docs.ingest(path, title="Arctic animals")

    assert document.name == "Arctic animals"
    answer = await docs.ask("What does the narwhal hunt?")
    assert [(s.document, s.page) for s in answer.sources] == [("Arctic animals", 1)]


async def test_a_file_askdocs_cannot_read_is_refused_with_its_reason(docs: Askdocs) -> None:
    with pytest.raises(UnsupportedMediaType) as refused:
        await docs.ingest(b"\x89PNG\r\n\x1a\n" + bytes(64), filename="photo.png")

    assert refused.value.detail == "the file is a PNG image; askdocs reads PDF, DOCX, HTML and text"
    assert await docs.documents() == []


async def test_a_broken_pdf_fails_with_its_reason_kept_on_its_version(docs: Askdocs) -> None:
    broken = make_pdf(["A page that will be cut short."])[:200]

    with pytest.raises(UnprocessableDocument) as failed:
        await docs.ingest(broken, filename="broken.pdf")

    assert failed.value.detail.startswith("the PDF cannot be read: ")
    (document,) = await docs.documents()
    assert document.versions[0].status is VersionStatus.FAILED
    assert document.versions[0].error == failed.value.detail
    assert docs.container.jobs().pending == 0


async def test_documents_lists_newest_first_and_filters_by_tag(docs: Askdocs) -> None:
    first = await docs.ingest(RESET, filename="manual.txt", tags=["manuals"])
    second = await docs.ingest(KETTLE, filename="kettle.txt", tags=["kitchen"])

    assert [d.id for d in await docs.documents()] == [second.id, first.id]
    assert [d.id for d in await docs.documents(tags=["kitchen"])] == [second.id]


async def test_sending_the_same_bytes_again_returns_the_same_document(docs: Askdocs) -> None:
    first = await docs.ingest(RESET, filename="manual.txt")
    again = await docs.ingest(RESET, filename="copy.txt")

    assert again.id == first.id
    assert len(await docs.documents()) == 1


async def test_the_answer_streams_sources_first_then_text_then_the_whole_answer(
    docs: Askdocs,
) -> None:
    await docs.ingest(RESET, filename="manual.txt")

    events = [event async for event in docs.stream("How do I reset the device?")]

    started, *deltas, finished = events
    assert isinstance(started, AnswerStarted)
    assert [s.document for s in started.sources] == ["manual.txt"]
    assert deltas
    assert all(isinstance(delta, AnswerDelta) for delta in deltas)
    assert isinstance(finished, AnswerFinished)
    assert "".join(d.text for d in deltas if isinstance(d, AnswerDelta)) == finished.answer.text
    assert "ten seconds" in finished.answer.text


async def test_a_session_remembers_earlier_turns_within_the_library(docs: Askdocs) -> None:
    await docs.ingest(RESET, filename="manual.txt")
    await docs.ask("How do I reset the device?", session_id="support-1")

    conversation = await docs.container.conversations().get("support-1", "library")

    assert conversation is not None
    assert [turn.question for turn in conversation.turns] == ["How do I reset the device?"]


class _OneFile(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(KETTLE)))
        self.end_headers()
        self.wfile.write(KETTLE)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def served_file() -> Iterator[str]:
    """The URL of a text file served on 127.0.0.1."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _OneFile)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/kettle.txt"
    server.shutdown()
    server.server_close()


async def test_a_document_is_ingested_from_a_url_the_settings_allow(served_file: str) -> None:
    async with Askdocs(fetch__allow="127.0.0.1/32") as docs:
        document = await docs.ingest(served_file, tags=["kitchen"])

        assert document.name == "kettle.txt"
        assert document.versions[0].source_url == served_file
        answer = await docs.ask("When does the kettle switch itself off?")
        assert [s.document for s in answer.sources] == ["kettle.txt"]


async def test_with_url_fetching_disabled_a_url_is_refused_saying_so(served_file: str) -> None:
    async with Askdocs(fetch__backend="disabled", fetch__allow="127.0.0.1/32") as docs:
        with pytest.raises(InvalidInput) as refused:
            await docs.ingest(served_file)

        assert refused.value.detail == REFUSAL
        assert await docs.documents() == []


async def test_uploads_stay_in_memory_unless_a_blob_directory_is_named(tmp_path: Path) -> None:
    async with Askdocs() as in_memory:
        await in_memory.ingest(RESET, filename="manual.txt")
        assert in_memory.settings.documents.blob_store == "memory"

    async with Askdocs(documents__blob_dir=str(tmp_path)) as on_disk:
        await on_disk.ingest(RESET, filename="manual.txt")
        assert on_disk.settings.documents.blob_store == "local"
    stored = await asyncio.to_thread(lambda: [p.name for p in tmp_path.rglob("*") if p.is_file()])
    assert stored == [hashlib.sha256(RESET).hexdigest()]


def test_the_library_reads_files_in_process_and_ingests_in_the_call() -> None:
    chosen = Askdocs().settings

    assert (chosen.worker.parser, chosen.jobs.backend) == ("inline", "inline")


def test_explicit_choices_are_kept() -> None:
    chosen = Askdocs(worker__parser="isolated", documents__blob_store="local").settings

    assert (chosen.worker.parser, chosen.documents.blob_store) == ("isolated", "local")


def test_jobs_that_only_a_server_worker_would_take_are_refused() -> None:
    with pytest.raises(SettingsError, match=r"jobs\.backend=memory needs the worker"):
        Askdocs(jobs__backend="memory")


def test_an_override_that_names_no_setting_is_refused_by_its_variable() -> None:
    with pytest.raises(SettingsError, match="ASKDOCS_DOCUMENTS__BLOB_DIRECTORY"):
        Askdocs(documents__blob_directory="/tmp")


def test_settings_and_overrides_together_are_refused() -> None:
    with pytest.raises(TypeError, match="not both"):
        Askdocs(Settings(), index__top_k=3)


def test_from_env_reads_askdocs_variables_with_overrides_on_top() -> None:
    docs = Askdocs.from_env(
        {"ASKDOCS_INDEX__TOP_K": "7", "ASKDOCS_CACHE__TTL_S": "60", "HOME": "/nowhere"},
        cache__ttl_s=5,
        fetch__backend="disabled",
    )

    assert (docs.settings.index.top_k, docs.settings.cache.ttl_s) == (7, 5)
    assert docs.settings.fetch.backend == "disabled"
