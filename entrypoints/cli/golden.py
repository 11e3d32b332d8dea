"""The golden-set files of `askdocs eval`: questions as JSON lines, and the corpus file list.

A golden file holds one JSON object a line::

    {"question": "...", "document": "library/json.html", "page": null, "expected_answer": "..."}

`document` is the name the file is uploaded under (its path relative to the corpus root),
`page` the 1-based page for paginated formats or null, and `expected_answer` a short string the
source states verbatim. A question the corpus cannot answer has all three null: it measures
whether the answerer declines. The corpus list beside it (`NAME.corpus.txt` for `NAME.jsonl`)
names one file a line, relative to the corpus root; blank lines and lines starting with `#`
are ignored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import msgspec

from askdocs.domain.evaluation import GoldenCase

Mode = Literal["hybrid", "vector", "text"]
"""Which retrieval `askdocs eval` measures: both legs fused, or one alone."""
MODES: tuple[Mode, ...] = ("hybrid", "vector", "text")


class GoldenFileError(ValueError):
    """The golden set, its corpus list or a corpus file cannot be read or used."""


class _GoldenLine(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    question: str
    document: str | None
    page: int | None
    expected_answer: str | None


def load_golden(path: Path) -> list[GoldenCase]:
    """The cases of a golden JSON-lines file, in file order.

    Raises:
        GoldenFileError: the file cannot be read, or a line is not a valid case.
    """
    decoder = msgspec.json.Decoder(_GoldenLine)
    cases: list[GoldenCase] = []
    for number, line in enumerate(_lines(path), start=1):
        if not line.strip():
            continue
        try:
            entry = decoder.decode(line)
        except msgspec.DecodeError as exc:
            raise GoldenFileError(f"{path}:{number}: {exc}") from exc
        unanswerable = entry.document is None
        if unanswerable and (entry.page is not None or entry.expected_answer is not None):
            raise GoldenFileError(
                f"{path}:{number}: a question without a document has no page or expected_answer"
            )
        if not entry.question.strip() or not (
            unanswerable or (entry.expected_answer or "").strip()
        ):
            raise GoldenFileError(
                f"{path}:{number}: question and expected_answer must not be blank"
            )
        cases.append(GoldenCase(entry.question, entry.document, entry.page, entry.expected_answer))
    if not cases:
        raise GoldenFileError(f"{path} holds no cases")
    return cases


def default_corpus_list(golden: Path) -> Path:
    """Where the corpus list of `golden` lives: `NAME.corpus.txt` beside `NAME.jsonl`."""
    return golden.with_suffix(".corpus.txt")


def corpus_files(root: Path, listing: Path | None) -> list[str]:
    """Corpus files relative to `root`: those `listing` names, else every file under `root`.

    Hidden files and folders are skipped when walking `root`.

    Raises:
        GoldenFileError: the list cannot be read or names a file missing under `root`.
    """
    if listing is None:
        return sorted(
            path.relative_to(root).as_posix()
            for path in root.rglob("*")
            if path.is_file() and not any(p.startswith(".") for p in path.relative_to(root).parts)
        )
    names = [n.strip() for n in _lines(listing) if n.strip() and not n.lstrip().startswith("#")]
    missing = [name for name in names if not (root / name).is_file()]
    if missing:
        raise GoldenFileError(
            f"{len(missing)} listed files are missing under {root}, first {missing[0]}"
        )
    return names


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldenFileError(f"cannot read {path}: {exc}") from exc
