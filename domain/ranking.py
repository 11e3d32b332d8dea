"""Lexical relevance: how well a passage answers a question, judged by the question's terms.

A search fuses cheap rankings over the whole index; this second look, over its few dozen
best candidates, weighs what those rankings cannot: how much of the question (its terms
weighted by rarity in the whole index) a passage holds, how often, whether its section's
headings name the subject, and whether the question's words stand side by side in it as they
do in the question. Every index is reranked by this one function, so the embedded and the
PostgreSQL index agree on the final order whenever their candidates agree.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter

from askdocs.domain.evidence import Weights, terms_coverage
from askdocs.domain.lexicon import term_set, terms

SATURATION = 1.2
"""BM25's k1: how fast repeating a term stops adding to a passage's score."""
TYPICAL_TERMS = 120
"""Terms in a typical chunk (256 tokens), the length at which repetition counts as is."""
SATURATED_WEIGHT = 0.5
SECTION_WEIGHT = 0.25
PHRASE_WEIGHT = 0.25
RANK_WEIGHT = 0.1
"""How much the search's own order (vector similarity included) still counts."""


@dataclasses.dataclass(frozen=True, slots=True)
class PassageTerms:
    """A passage's terms in order, and its section's, computed once per passage."""

    text: tuple[str, ...]
    section: frozenset[str]

    @classmethod
    def of(cls, text: str, section: str) -> PassageTerms:
        return cls(tuple(terms(text)), term_set(section))

    @property
    def all(self) -> frozenset[str]:
        return frozenset(self.text) | self.section


def question_pairs(question: str) -> frozenset[tuple[str, str]]:
    """Consecutive terms of the question: a passage holding them side by side says the same."""
    return frozenset(itertools.pairwise(terms(question)))


def lexical_relevance(
    weights: Weights, pairs: frozenset[tuple[str, str]], passage: PassageTerms, rank: int
) -> float:
    """The passage's relevance, about 0 to 2; `rank` is its 0-based place in the search."""
    coverage = terms_coverage(weights, passage.all)
    section = terms_coverage(weights, passage.section)
    counts = Counter(passage.text)
    norm = 0.25 + 0.75 * len(passage.text) / TYPICAL_TERMS
    saturated = sum(
        w * counts[t] / (counts[t] + SATURATION * norm)
        for t, w in weights.terms.items()
        if counts[t]
    ) / (weights.total or 1.0)
    phrase = 0.0
    if pairs:
        adjacent = frozenset(itertools.pairwise(passage.text))
        phrase = len(pairs & adjacent) / len(pairs)
    return (
        coverage
        + SATURATED_WEIGHT * saturated
        + SECTION_WEIGHT * section
        + PHRASE_WEIGHT * phrase
        + RANK_WEIGHT / (1 + rank)
    )
