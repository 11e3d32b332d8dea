"""IsolatedParser against hostile files: each ends in pages or a parsing error, within budget,
and the parser keeps working; a parse that runs long, eats memory or crashes costs only itself.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from askdocs.adapters.parsing import IsolatedParser
from askdocs.adapters.parsing.child_process import Read
from askdocs.application.errors import UnprocessableDocument, UnsupportedMediaType
from askdocs.application.ports.parsing import DocumentParser, ParsedDocument
from tests.support import readers
from tests.support.malformed import MALFORMED_INPUTS, docx_zip_bomb, pdf_inflate_bomb
from tests.support.pdf import make_pdf
from tests.support.settings_wiring import from_settings

PDF = "application/pdf"
TIME_BUDGET_S = 20
MEMORY_BUDGET_MB = 512
# Time beyond the budget for killing the child and reaping it, on a slow CI runner.
SLACK_S = 5
GOOD_PDF = make_pdf(["A page that parses", "and a second one"])


@pytest.fixture
def parser() -> DocumentParser:
    return from_settings(
        IsolatedParser, cpu_budget_s=TIME_BUDGET_S, memory_budget_mb=MEMORY_BUDGET_MB
    )


async def assert_still_works(parser: DocumentParser) -> None:
    parsed = await parser.parse(GOOD_PDF, PDF)
    assert [p.text for p in parsed.pages] == ["A page that parses", "and a second one"]


async def sniff_and_parse(
    parser: DocumentParser, data: bytes, filename: str
) -> ParsedDocument | UnprocessableDocument | UnsupportedMediaType:
    try:
        return await parser.parse(data, parser.sniff(data, filename=filename))
    except (UnprocessableDocument, UnsupportedMediaType) as refused:
        return refused


def pid_in(path: Path) -> int | None:
    """The process id a `readers.hang` child wrote to `path`, if it has yet."""
    text = path.read_text() if path.exists() else ""
    return int(text) if text else None


async def written_pid(path: Path) -> int:
    for _ in range(1000):
        if (pid := pid_in(path)) is not None:
            return pid
        await asyncio.sleep(0.01)
    raise AssertionError(f"no process id in {path} after 10 s")


@pytest.mark.parametrize("make", MALFORMED_INPUTS.values(), ids=MALFORMED_INPUTS.keys())
async def test_a_malformed_file_ends_in_pages_or_a_parsing_error_within_budget(
    parser: DocumentParser, make: Callable[[], tuple[bytes, str]]
) -> None:
    data, filename = make()
    started = time.monotonic()
    outcome = await sniff_and_parse(parser, data, filename)
    if isinstance(outcome, ParsedDocument):
        assert [p.number for p in outcome.pages] == list(range(1, len(outcome.pages) + 1))
    else:
        assert outcome.detail
    assert time.monotonic() - started < TIME_BUDGET_S + SLACK_S
    await assert_still_works(parser)


@pytest.mark.parametrize(
    ("make", "detail"),
    [
        # pypdf refuses to inflate past its limit; without one, the memory budget stops it.
        (pdf_inflate_bomb, "a decompression bomb|more than 512 MB of memory"),
        (docx_zip_bomb, "the DOCX expands to more than 256 MB"),
    ],
    ids=["PDF inflate bomb", "DOCX zip bomb"],
)
async def test_bombs_are_unprocessable(
    parser: DocumentParser, make: Callable[[], tuple[bytes, str]], detail: str
) -> None:
    data, filename = make()
    with pytest.raises(UnprocessableDocument, match=detail):
        await parser.parse(data, parser.sniff(data, filename=filename))


async def test_a_parse_past_its_cpu_budget_ends_with_that_reason() -> None:
    parser = from_settings(IsolatedParser, cpu_budget_s=1, read=readers.spin)
    started = time.monotonic()
    with pytest.raises(UnprocessableDocument, match="used more than 1 s of CPU time"):
        await parser.parse(b"%PDF-", PDF)
    assert time.monotonic() - started < 1 + SLACK_S


async def test_a_parse_past_the_wall_clock_budget_is_killed(tmp_path: Path) -> None:
    parser = from_settings(IsolatedParser, cpu_budget_s=60, wall_budget_s=1, read=readers.hang)
    pid_file = tmp_path / "child.pid"
    started = time.monotonic()
    with pytest.raises(UnprocessableDocument, match="parsing took longer than 1 s"):
        await parser.parse(str(pid_file).encode(), PDF)
    assert time.monotonic() - started < 1 + SLACK_S
    pid = pid_in(pid_file)
    assert pid is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


async def test_a_parse_whose_caller_gives_up_is_killed(tmp_path: Path) -> None:
    parser = from_settings(IsolatedParser, read=readers.hang)
    pid_file = tmp_path / "child.pid"
    parse = asyncio.create_task(parser.parse(str(pid_file).encode(), PDF))
    pid = await written_pid(pid_file)
    parse.cancel()
    with pytest.raises(asyncio.CancelledError):
        await parse
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


@pytest.mark.parametrize(
    "read",
    [readers.inflate_every_stream, readers.refuse_for_lack_of_memory],
    ids=["MemoryError", "MemoryError translated by the reader"],
)
async def test_a_parse_past_the_memory_budget_is_unprocessable(
    read: Read,
) -> None:
    parser = from_settings(IsolatedParser, memory_budget_mb=256, read=read)
    with pytest.raises(UnprocessableDocument, match="parsing needed more than 256 MB of memory"):
        await parser.parse(pdf_inflate_bomb()[0], PDF)


@pytest.mark.parametrize(
    ("read", "detail"),
    [
        (readers.crash, "the parser crashed on this file (SIGSEGV)"),
        (readers.fail, "the parser failed on this file: ValueError: a bug in the reader"),
        (readers.exit_without_answer, "the parser stopped without an answer (exit code 3)"),
    ],
    ids=["crash", "unexpected error", "exit"],
)
async def test_a_reader_that_crashes_or_fails_costs_only_its_file(read: Read, detail: str) -> None:
    with pytest.raises(UnprocessableDocument) as caught:
        await from_settings(IsolatedParser, read=read).parse(GOOD_PDF, PDF)
    assert caught.value.detail == detail


async def test_parses_run_side_by_side_up_to_the_limit() -> None:
    parser = from_settings(IsolatedParser, max_concurrent=2, read=readers.read_after_a_second)
    pdfs = [make_pdf([f"document {n}"]) for n in range(4)]
    started = time.monotonic()
    parsed = await asyncio.gather(*(parser.parse(pdf, PDF) for pdf in pdfs))
    elapsed = time.monotonic() - started
    assert [doc.pages[0].text for doc in parsed] == [f"document {n}" for n in range(4)]
    assert 2 <= elapsed < 4  # two at a time: two rounds of a second, not one or four


async def test_many_parses_at_once_all_complete(parser: DocumentParser) -> None:
    pdfs = [make_pdf([f"document {n}", "second page"]) for n in range(16)]
    parsed = await asyncio.gather(*(parser.parse(pdf, PDF) for pdf in pdfs))
    assert [doc.pages[0].text for doc in parsed] == [f"document {n}" for n in range(16)]


async def test_waiting_for_a_child_leaves_the_event_loop_free() -> None:
    parser = from_settings(IsolatedParser, read=readers.read_after_a_second)
    await assert_still_works(
        from_settings(IsolatedParser)
    )  # the forkserver is up before the clock starts
    gaps: list[float] = []

    async def tick() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.01)
            gaps.append(time.monotonic() - last)
            last = time.monotonic()

    ticker = asyncio.create_task(tick())
    await parser.parse(GOOD_PDF, PDF)
    ticker.cancel()
    assert len(gaps) > 50
    assert max(gaps) < 0.25


def test_a_large_outcome_arrives_whole_on_the_uvloop_event_loop() -> None:
    """uvloop (what `serve` runs on) leaves a watched pipe non-blocking: an outcome larger than
    the pipe's buffer must still be read whole."""
    uvloop = pytest.importorskip("uvloop")
    pages = [f"Page {n}. " + "The keeper logs the wind and the tide. " * 40 for n in range(600)]
    data = make_pdf(pages)

    async def parse() -> ParsedDocument:
        return await from_settings(IsolatedParser, cpu_budget_s=60).parse(data, PDF)

    parsed = uvloop.run(parse())

    assert len(parsed.pages) == 600
    assert parsed.pages[599].text.startswith("Page 599.")


async def test_a_pdf_only_pdfium_reads_is_read_within_the_budgets(parser: DocumentParser) -> None:
    data = make_pdf(["Read by the second engine", "", "in the child"], pypdf_unreadable=True)
    parsed = await parser.parse(data, PDF)
    assert [(p.number, p.text) for p in parsed.pages] == [
        (1, "Read by the second engine"),
        (2, ""),
        (3, "in the child"),
    ]
