"""Retrieval and answer quality on real documents: the measured levels hold, on both indexes.

Two golden sets (tests/golden/): 73 paraphrased questions over 122 pages of the Python 3.11
manual as Debian's python3.11-doc ships it, and 79 page-level questions over 31 PDFs of
Debian documentation packages (scripts/fetch-golden-pdfs.sh lays them out); each set also
holds 24 questions its corpus cannot answer. Each evaluation runs once per module and index.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import os
from pathlib import Path

import pytest

from askdocs.entrypoints.cli.evaluate import Evaluation, evaluate
from askdocs.entrypoints.cli.golden import corpus_files, default_corpus_list, load_golden
from tests.support.postgres import ensure_test_database, postgres_url

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


@dataclasses.dataclass(frozen=True)
class Measured:
    """Levels measured on the embedded defaults (hashing embedder, in-memory hybrid index,
    extractive answerer) with `askdocs eval` (docs/quality.md); the gate allows a margin."""

    golden: str
    corpus: Path
    recall_at_5: float
    answer_contains: float
    answered: float
    declined: float


# Measured 2026-12-05 (docs/quality.md). The runs are deterministic (sequential ids), so a
# drop is a change in parsing, chunking, ranking or answering.
SETS = {
    "python_manual": Measured(
        "python_manual", Path("/usr/share/doc/python3.11/html"), 0.945, 0.603, 0.904, 0.875
    ),
    "debian_pdfs": Measured(
        "debian_pdfs",
        Path(os.environ.get("ASKDOCS_GOLDEN_PDFS", "/var/cache/askdocs/golden-pdfs")),
        0.924,
        0.684,
        0.962,
        0.875,
    ),
}
RECALL_MARGIN = 0.03
ANSWER_MARGIN = 0.05
PARITY_RECALL = 0.02
PARITY_TOP_1 = 0.9


@functools.cache
def evaluation(golden_set: str, index: str) -> Evaluation:
    """The evaluation of a golden set on the `memory` or the `postgres` index."""
    measured = SETS[golden_set]
    if not measured.corpus.is_dir():
        pytest.fail(
            f"{measured.corpus} is missing: install it (apt-get install -y python3.11-doc; "
            "bash scripts/fetch-golden-pdfs.sh)"
        )
    golden = GOLDEN / f"{golden_set}.jsonl"
    database_url = None
    if index == "postgres":
        database_url = postgres_url()
        asyncio.run(ensure_test_database(database_url))
    return asyncio.run(
        evaluate(
            load_golden(golden),
            corpus_root=measured.corpus,
            files=corpus_files(measured.corpus, default_corpus_list(golden)),
            mode="hybrid",
            environ={},
            database_url=database_url,
        )
    )


@pytest.mark.slow
@pytest.mark.parametrize("golden_set", SETS)
def test_the_embedded_defaults_keep_their_measured_quality(golden_set: str) -> None:
    measured = SETS[golden_set]

    report = evaluation(golden_set, "memory").report

    assert report.count >= 60
    assert report.unanswerable >= 20
    missed = [o.case.question for o in report.misses]
    assert report.recall[5] >= measured.recall_at_5 - RECALL_MARGIN, missed
    assert report.answer_contains >= measured.answer_contains - ANSWER_MARGIN
    assert report.answered >= measured.answered - ANSWER_MARGIN
    assert report.abstention >= measured.declined - ANSWER_MARGIN


@pytest.mark.slow
@pytest.mark.parametrize("golden_set", SETS)
def test_the_postgresql_index_ranks_as_the_embedded_one_does(golden_set: str) -> None:
    memory = evaluation(golden_set, "memory").report
    postgres = evaluation(golden_set, "postgres").report

    assert abs(memory.recall[5] - postgres.recall[5]) <= PARITY_RECALL
    pairs = [
        (m.top, p.top)
        for m, p in zip(memory.outcomes, postgres.outcomes, strict=True)
        if m.case.answerable
    ]
    same = sum(1 for m, p in pairs if m == p)
    assert same / len(pairs) >= PARITY_TOP_1, [(m, p) for m, p in pairs if m != p]
