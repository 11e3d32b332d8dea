"""Retrieval and answer quality on real documents must not fall below what was measured.

Two golden sets (tests/golden/): 73 paraphrased questions over 122 pages of the Python 3.11
manual as Debian's python3.11-doc ships it, and 79 page-level questions over 31 PDFs of
Debian documentation packages (scripts/fetch-golden-pdfs.sh lays them out); each set also
holds 24 questions its corpus cannot answer.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
from pathlib import Path

import pytest

from askdocs.entrypoints.cli.evaluate import evaluate
from askdocs.entrypoints.cli.golden import corpus_files, default_corpus_list, load_golden

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


# Measured 2026-12-04 (docs/quality.md). The runs are deterministic (sequential ids), so a
# drop is a change in parsing, chunking, ranking or answering.
SETS = [
    Measured("python_manual", Path("/usr/share/doc/python3.11/html"), 0.932, 0.205, 0.767, 0.583),
    Measured(
        "debian_pdfs",
        Path(os.environ.get("ASKDOCS_GOLDEN_PDFS", "/var/cache/askdocs/golden-pdfs")),
        0.924,
        0.519,
        0.949,
        0.708,
    ),
]
RECALL_MARGIN = 0.03
ANSWER_MARGIN = 0.05


@pytest.mark.slow
@pytest.mark.parametrize("measured", SETS, ids=lambda m: m.golden)
def test_the_embedded_defaults_keep_their_measured_quality(measured: Measured) -> None:
    if not measured.corpus.is_dir():
        pytest.fail(
            f"{measured.corpus} is missing: install it (apt-get install -y python3.11-doc; "
            "bash scripts/fetch-golden-pdfs.sh)"
        )
    golden = GOLDEN / f"{measured.golden}.jsonl"
    cases = load_golden(golden)
    files = corpus_files(measured.corpus, default_corpus_list(golden))

    evaluation = asyncio.run(
        evaluate(cases, corpus_root=measured.corpus, files=files, mode="hybrid", environ={})
    )

    report = evaluation.report
    assert report.count >= 60
    assert report.unanswerable >= 20
    missed = [o.case.question for o in report.misses]
    assert report.recall[5] >= measured.recall_at_5 - RECALL_MARGIN, missed
    assert report.answer_contains >= measured.answer_contains - ANSWER_MARGIN
    assert report.answered >= measured.answered - ANSWER_MARGIN
    assert report.abstention >= measured.declined - ANSWER_MARGIN
