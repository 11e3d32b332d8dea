"""Retrieval quality against a golden set: which rank the expected source got, and the scores.

A retrieved passage is *relevant* to a golden case when its document name equals the case's
`document` and, if the case names a `page`, its page number equals that page. Formats without
pages (HTML, plain text, Markdown) report no page number, so a case over them leaves `page`
unset and any passage of the expected document counts: relevance is judged per document there.

A case without a document is a question the corpus cannot answer: it counts in no recall and
measures only whether the answerer declines (`abstention`). Retrieval and answer scores are
over the answerable cases.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence

_SPACE = re.compile(r"\s+")


@dataclasses.dataclass(frozen=True, slots=True)
class GoldenCase:
    """A question, where its answer lives, and a short string a right answer contains."""

    question: str
    document: str | None
    page: int | None
    expected_answer: str | None

    @property
    def answerable(self) -> bool:
        """Whether the corpus answers this question (a case without a document does not)."""
        return self.document is not None

    def is_source(self, document: str, page: int | None) -> bool:
        """Whether a passage of `document` (on `page`) is where this case's answer lives."""
        return document == self.document and (self.page is None or page == self.page)


@dataclasses.dataclass(frozen=True, slots=True)
class CaseOutcome:
    """What retrieval and the answerer did for one case.

    `rank` is the 1-based position of the first relevant passage among those retrieved, or
    None when none was; `retrieved` names the documents retrieved, best first.
    """

    case: GoldenCase
    rank: int | None
    answer: str
    retrieved: tuple[str, ...]
    answered: bool = True
    """Whether the answerer gave an answer rather than saying the documents do not hold one."""
    top: tuple[str, int | None] | None = None
    """The document and page of the first passage retrieved, None when none was."""

    @property
    def answer_contains(self) -> bool:
        """Whether the answer holds the expected string (see `contains_answer`); never for a
        question the corpus cannot answer."""
        expected = self.case.expected_answer
        return expected is not None and self.answered and contains_answer(self.answer, expected)


@dataclasses.dataclass(frozen=True, slots=True)
class RetrievalReport:
    """Scores over a golden set, in [0, 1]: over the answerable cases, recall@k per k, MRR,
    the answer-contains rate and the share answered; over the others, the share declined.

    `misses` are the answerable cases whose source was not retrieved at all (within the
    largest k).
    """

    count: int
    recall: Mapping[int, float]
    mrr: float
    answer_contains: float
    outcomes: tuple[CaseOutcome, ...]
    answered: float = 0.0
    """Share of answerable questions the answerer answered (did not decline)."""
    unanswerable: int = 0
    abstention: float = 0.0
    """Share of unanswerable questions the answerer declined (0.0 when there are none)."""

    @property
    def misses(self) -> tuple[CaseOutcome, ...]:
        """Answerable outcomes whose expected source was not among the passages retrieved."""
        return tuple(o for o in self.outcomes if o.case.answerable and o.rank is None)


def first_relevant_rank(
    case: GoldenCase, retrieved: Sequence[tuple[str, int | None]]
) -> int | None:
    """The 1-based rank of the first `(document, page)` that is the case's source, else None."""
    for rank, (document, page) in enumerate(retrieved, start=1):
        if case.is_source(document, page):
            return rank
    return None


def recall_at(ranks: Sequence[int | None], k: int) -> float:
    """Share of cases whose source ranked within the first `k` (0.0 for no cases).

    Each case has one expected source, so this is also the hit rate at k.

    Raises:
        ValueError: `k` is below 1.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    if not ranks:
        return 0.0
    return sum(1 for rank in ranks if rank is not None and rank <= k) / len(ranks)


def mean_reciprocal_rank(ranks: Sequence[int | None]) -> float:
    """Mean of 1/rank over the cases, a case whose source was not retrieved counting 0."""
    if not ranks:
        return 0.0
    return sum(1 / rank for rank in ranks if rank is not None) / len(ranks)


def contains_answer(answer: str, expected: str) -> bool:
    """`expected` occurs in `answer`, ignoring case and treating any run of white space as one.

    Raises:
        ValueError: `expected` is blank, which every answer would contain.
    """
    wanted = _normalise(expected)
    if not wanted:
        raise ValueError("the expected answer is blank")
    return wanted in _normalise(answer)


def summarise(outcomes: Sequence[CaseOutcome], k_values: Sequence[int]) -> RetrievalReport:
    """The report over `outcomes` with recall at each of `k_values` (kept in ascending order)."""
    answerable = [o for o in outcomes if o.case.answerable]
    unanswerable = [o for o in outcomes if not o.case.answerable]
    ranks = [outcome.rank for outcome in answerable]
    return RetrievalReport(
        count=len(answerable),
        recall={k: recall_at(ranks, k) for k in sorted(set(k_values))},
        mrr=mean_reciprocal_rank(ranks),
        answer_contains=_share(answerable, lambda o: o.answer_contains),
        outcomes=tuple(outcomes),
        answered=_share(answerable, lambda o: o.answered),
        unanswerable=len(unanswerable),
        abstention=_share(unanswerable, lambda o: not o.answered),
    )


def _share(outcomes: Sequence[CaseOutcome], test: Callable[[CaseOutcome], bool]) -> float:
    return sum(1 for o in outcomes if test(o)) / len(outcomes) if outcomes else 0.0


def _normalise(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()
