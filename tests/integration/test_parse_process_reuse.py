"""IsolatedParser reading small files one after another in a child: the child is reused, and
a file that crashes it, overruns its budget or fails costs only that file, never the files
read before or after it in the same child."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from askdocs.adapters.parsing import IsolatedParser
from askdocs.application.errors import UnprocessableDocument
from tests.support import readers
from tests.support.settings_wiring import from_settings

TEXT = "text/plain"


def reading_parser(*, files_per_process: int, **budgets: float) -> IsolatedParser:
    return from_settings(
        IsolatedParser,
        read=readers.as_told,
        max_concurrent=1,
        files_per_process=files_per_process,
        **budgets,
    )


async def read_all(parser: IsolatedParser, files: list[str]) -> list[str]:
    """Each file's page text, or its failure's reason, in the order of the files."""

    async def one(text: str) -> str:
        try:
            parsed = await parser.parse(text.encode(), TEXT)
        except UnprocessableDocument as refused:
            return f"failed: {refused.detail}"
        return parsed.pages[0].text.split(": ", 1)[1]

    return list(await asyncio.gather(*(one(text) for text in files)))


def reader_pids(texts: list[str]) -> set[str]:
    return {text.split(":", 1)[0] for text in texts}


async def test_small_files_share_a_child_up_to_the_files_per_process() -> None:
    parser = reading_parser(files_per_process=3)
    pages = [(await parser.parse(f"page {n}".encode(), TEXT)).pages[0].text for n in range(6)]
    assert [page.split(": ", 1)[1] for page in pages] == [f"page {n}" for n in range(6)]
    assert len(reader_pids(pages)) == 2


async def test_a_file_larger_than_the_shared_size_has_a_child_of_its_own() -> None:
    parser = from_settings(IsolatedParser, read=readers.as_told, max_concurrent=1, shared_max_kb=1)
    small = (await parser.parse(b"small", TEXT)).pages[0].text
    large = (await parser.parse(b"x" * 2048, TEXT)).pages[0].text
    small_again = (await parser.parse(b"small again", TEXT)).pages[0].text
    assert reader_pids([small, small_again]) == reader_pids([small])
    assert reader_pids([large]) != reader_pids([small])


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("crash", "failed: the parser crashed on this file (SIGSEGV)"),
        ("fail", "failed: the parser failed on this file: ValueError: a bug in the reader"),
    ],
)
async def test_a_file_that_kills_or_fails_its_shared_child_fails_alone(
    bad: str, reason: str
) -> None:
    parser = reading_parser(files_per_process=8)
    outcomes = await read_all(parser, ["before", bad, "after", "last"])
    assert outcomes == ["before", reason, "after", "last"]


async def test_a_file_past_its_cpu_budget_in_a_shared_child_fails_alone() -> None:
    parser = reading_parser(files_per_process=8, cpu_budget_s=1)
    outcomes = await read_all(parser, ["before", "spin", "after"])
    assert outcomes == ["before", "failed: parsing used more than 1 s of CPU time", "after"]


async def test_each_file_in_a_shared_child_has_the_whole_cpu_budget() -> None:
    parser = reading_parser(files_per_process=8, cpu_budget_s=3)
    pages = [
        (await parser.parse(b"burn:1.5", TEXT)).pages[0].text for _ in range(3)
    ]  # 4.5 s of CPU in all, more than one budget, but 1.5 s each
    assert len(reader_pids(pages)) == 1


async def test_a_file_past_the_wall_clock_budget_in_a_shared_child_fails_alone(
    tmp_path: Path,
) -> None:
    parser = reading_parser(files_per_process=8, wall_budget_s=1)
    outcomes = await read_all(parser, ["before", f"hang:{tmp_path / 'pid'}", "after"])
    assert outcomes == ["before", "failed: parsing took longer than 1 s", "after"]
