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
import functools
import itertools
from collections import Counter
from collections.abc import Mapping
from types import MappingProxyType

from askdocs.domain.evidence import Weights, terms_coverage
from askdocs.domain.lexicon import term_set, terms

KEPT_PASSAGES = 4096
"""Passages whose terms are kept for the next questions: a corpus' passages that answer
questions recur across them, and cutting a passage into terms is most of a rerank's work.
About 13 KiB a passage of 256 tokens: some 55 MiB when full (ADR 39)."""
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
    """What a rerank reads of a passage, derived once per passage (`of` keeps the latest
    `KEPT_PASSAGES`): its terms in order, its section's, both together, how often each term
    occurs, and which terms stand side by side."""

    text: tuple[str, ...]
    section: frozenset[str]
    all: frozenset[str]
    counts: Mapping[str, int]
    adjacent: frozenset[tuple[str, str]]

    @classmethod
    def of(cls, text: str, section: str) -> PassageTerms:
        return _passage_terms(text, section)


@functools.lru_cache(maxsize=KEPT_PASSAGES)
def _passage_terms(text: str, section: str) -> PassageTerms:
    in_order = tuple(terms(text))
    section_terms = term_set(section)
    return PassageTerms(
        text=in_order,
        section=section_terms,
        all=frozenset(in_order) | section_terms,
        counts=MappingProxyType(Counter(in_order)),
        adjacent=frozenset(itertools.pairwise(in_order)),
    )


def question_pairs(question: str) -> frozenset[tuple[str, str]]:
    """Consecutive terms of the question: a passage holding them side by side says the same."""
    return frozenset(itertools.pairwise(terms(question)))


def lexical_relevance(
    weights: Weights, pairs: frozenset[tuple[str, str]], passage: PassageTerms, rank: int
) -> float:
    """The passage's relevance, about 0 to 2; `rank` is its 0-based place in the search."""
    coverage = terms_coverage(weights, passage.all)
    section = terms_coverage(weights, passage.section)
    counts = passage.counts
    norm = 0.25 + 0.75 * len(passage.text) / TYPICAL_TERMS
    saturated = sum(
        w * n / (n + SATURATION * norm) for t, w in weights.terms.items() if (n := counts.get(t, 0))
    ) / (weights.total or 1.0)
    phrase = 0.0
    if pairs:
        phrase = len(pairs & passage.adjacent) / len(pairs)
    return (
        coverage
        + SATURATED_WEIGHT * saturated
        + SECTION_WEIGHT * section
        + PHRASE_WEIGHT * phrase
        + RANK_WEIGHT / (1 + rank)
    )
