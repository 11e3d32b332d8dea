"""The golden sets of `askdocs eval` are well formed, and the PDF set's answers are on its pages.

Each set is `tests/golden/NAME.jsonl` beside its corpus list `NAME.corpus.txt`. A line is either
answerable (a document of the corpus list, a page for the paginated PDF set, and a non-blank
expected answer) or unanswerable (document, page and expected answer all null). The lines are read
with the json module here, not with the `askdocs eval` loader, so that null documents are allowed.

The PDF set's corpus is laid out by scripts/fetch-golden-pdfs.sh under $ASKDOCS_GOLDEN_PDFS or
/var/cache/askdocs/golden-pdfs; every expected answer must appear, compared case-insensitively
with runs of white space as one space, in the text pypdf extracts from the page the line names
(the 1-based physical page index, as askdocs' PDF parser numbers pages).
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
SETS = ["python_manual", "debian_pdfs", "postgres_manual"]
PAGINATED = {"debian_pdfs"}
FIELDS = {"question", "document", "page", "expected_answer"}
DEFAULT_PDF_ROOT = Path("/var/cache/askdocs/golden-pdfs")
FETCH_SCRIPT = "scripts/fetch-golden-pdfs.sh"


def _lines(name: str) -> list[tuple[int, str]]:
    """The non-blank lines of a golden set, with their 1-based line numbers."""
    text = (GOLDEN / f"{name}.jsonl").read_text(encoding="utf-8")
    return [(number, line) for number, line in enumerate(text.splitlines(), 1) if line.strip()]


@cache
def _entries(name: str) -> list[tuple[int, dict[str, Any]]]:
    """The lines of a golden set that parse as JSON objects."""
    entries = []
    for number, line in _lines(name):
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            entries.append((number, value))
    return entries


@cache
def _corpus(name: str) -> tuple[str, ...]:
    """The file names of a set's corpus list; blank lines and `#` comments left out."""
    text = (GOLDEN / f"{name}.corpus.txt").read_text(encoding="utf-8")
    return tuple(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def _answerable(entry: dict[str, Any]) -> bool:
    return entry.get("document") is not None


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _pdf_root() -> Path:
    return Path(os.environ.get("ASKDOCS_GOLDEN_PDFS") or DEFAULT_PDF_ROOT)


@cache
def _reader(path: Path) -> PdfReader:
    return PdfReader(path)


@cache
def _page_text(path: Path, page: int) -> str:
    """pypdf's text of the 1-based page `page` of `path`, normalised."""
    return _normalised(_reader(path).pages[page - 1].extract_text())


@pytest.mark.parametrize("name", SETS)
def test_every_line_of_a_golden_set_is_a_json_object_with_the_four_fields(name: str) -> None:
    problems = []
    for number, line in _lines(name):
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: not JSON ({exc})")
            continue
        if not isinstance(value, dict) or set(value) != FIELDS:
            problems.append(f"line {number}: not an object with exactly {sorted(FIELDS)}")
        elif not isinstance(value["question"], str) or not value["question"].strip():
            problems.append(f"line {number}: the question is blank")
    assert _lines(name), f"{name}.jsonl holds no lines"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", SETS)
def test_every_document_a_golden_set_names_is_in_its_corpus_list(name: str) -> None:
    listed = set(_corpus(name))
    strays = [
        f"line {number}: {entry['document']}"
        for number, entry in _entries(name)
        if _answerable(entry) and entry["document"] not in listed
    ]
    assert not strays, f"not in {name}.corpus.txt:\n" + "\n".join(strays)


@pytest.mark.parametrize("name", SETS)
def test_answerable_questions_have_a_page_where_paginated_and_a_non_blank_answer(
    name: str,
) -> None:
    problems = []
    for number, entry in _entries(name):
        if not _answerable(entry):
            continue
        answer = entry.get("expected_answer")
        if not isinstance(answer, str) or not answer.strip():
            problems.append(f"line {number}: blank or missing expected_answer")
        page = entry.get("page")
        if name in PAGINATED:
            if not isinstance(page, int) or isinstance(page, bool) or page < 1:
                problems.append(f"line {number}: page must be a 1-based integer, not {page!r}")
        elif page is not None:
            problems.append(f"line {number}: page must be null in an unpaginated set")
    assert any(_answerable(entry) for _, entry in _entries(name))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", SETS)
def test_unanswerable_questions_have_no_document_page_or_answer(name: str) -> None:
    half_null = [
        f"line {number}: {entry}"
        for number, entry in _entries(name)
        if not _answerable(entry)
        and (entry.get("page") is not None or entry.get("expected_answer") is not None)
    ]
    assert any(not _answerable(entry) for _, entry in _entries(name))
    assert not half_null, "document is null but page or expected_answer is not:\n" + "\n".join(
        half_null
    )


def test_every_expected_answer_of_the_pdf_set_is_on_the_page_it_names() -> None:
    root = _pdf_root()
    if not root.is_dir():
        pytest.fail(f"{root} is missing: lay out the PDF corpus with `bash {FETCH_SCRIPT}`")
    missing = [name for name in _corpus("debian_pdfs") if not (root / name).is_file()]
    if missing:
        pytest.fail(
            f"{len(missing)} corpus PDFs are missing under {root}, first {missing[0]}: "
            f"run `bash {FETCH_SCRIPT}`"
        )
    problems = []
    checked = 0
    for number, entry in _entries("debian_pdfs"):
        if not _answerable(entry):
            continue
        path, page = root / entry["document"], entry["page"]
        pages = len(_reader(path).pages)
        if not 1 <= page <= pages:
            problems.append(f"line {number}: page {page} of {entry['document']} ({pages} pages)")
            continue
        if _normalised(entry["expected_answer"]) not in _page_text(path, page):
            problems.append(
                f"line {number}: {entry['expected_answer']!r} not on page {page} of "
                f"{entry['document']}"
            )
        checked += 1
    assert checked > 0
    assert not problems, "\n".join(problems)
