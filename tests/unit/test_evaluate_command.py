"""`askdocs eval` on a small corpus: the corpus list, the printed report and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from askdocs.entrypoints.cli.main import main

PAGES = {
    "kitchen/pans.txt": "Cast iron pans must be dried immediately after washing to prevent rust.",
    "kitchen/bread.txt": "Sourdough starter needs feeding with flour and water every day.",
    "garden/tomatoes.txt": "Tomato seedlings are hardened off outdoors for a week before planting.",
}
CASES = [
    {"question": "How do I stop my pan rusting?", "document": "kitchen/pans.txt"},
    {"question": "What does a starter need?", "document": "kitchen/bread.txt"},
    {"question": "How long do seedlings harden off?", "document": "garden/tomatoes.txt"},
]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    for name, text in PAGES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def write_golden(path: Path, cases: list[dict[str, object]]) -> Path:
    lines = (json.dumps({"page": None, "expected_answer": "the", **case}) for case in cases)
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_report_gives_recall_mrr_and_answers_for_the_files_listed_beside_the_golden_set(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    golden = write_golden(tmp_path / "set.jsonl", CASES)
    (tmp_path / "set.corpus.txt").write_text(
        "# kitchen only\nkitchen/pans.txt\nkitchen/bread.txt\n"
    )

    status = main(["eval", str(golden), "--corpus-root", str(corpus), "--mode", "text"])

    out = capsys.readouterr().out
    assert status == 0
    assert "3 questions over 2 files" in out
    assert "vector weight 0, text weight 1" in out
    assert "recall@5   0.667" in out
    assert "MRR@10" in out
    assert "misses (source not in the top 10): 1" in out
    assert "expected garden/tomatoes.txt" in out


def test_without_a_corpus_list_every_file_under_the_root_is_ingested(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    golden = write_golden(tmp_path / "set.jsonl", CASES)

    status = main(["eval", str(golden), "--corpus-root", str(corpus)])

    out = capsys.readouterr().out
    assert status == 0
    assert "3 questions over 3 files" in out
    assert "recall@10  1.000" in out


def test_an_invalid_golden_line_is_reported_with_its_line_number(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    golden = write_golden(tmp_path / "set.jsonl", [*CASES[:1], {"question": "no document"}])

    status = main(["eval", str(golden), "--corpus-root", str(corpus)])

    assert status == 2
    assert "set.jsonl:2" in capsys.readouterr().err


def test_a_listed_file_missing_from_the_corpus_is_reported(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    golden = write_golden(tmp_path / "set.jsonl", CASES)
    listing = tmp_path / "files.txt"
    listing.write_text("kitchen/pans.txt\nkitchen/knives.txt\n")

    status = main(["eval", str(golden), "--corpus-root", str(corpus), "--files", str(listing)])

    assert status == 2
    assert "missing" in capsys.readouterr().err
