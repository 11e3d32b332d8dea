"""The in-memory index's lexical side: each chunk's terms, the chunks holding each term, BM25.

BM25 ranks only the chunks that hold a term of the query: the postings of those terms lead
to them, so a question costs what its terms match, not a pass over every chunk.
"""

from __future__ import annotations

import array
import heapq
import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping

from askdocs.domain.lexicon import terms as terms_of

_K1 = 1.2
_B = 0.75


class ChunkTerms:
    """The terms of every chunk remembered, counted, and the chunks holding each term.

    Chunks never change once added, so postings only grow: an array of chunk serial numbers
    per term, each chunk once. Arrays, and plain dicts of strings and numbers, give the
    garbage collector nothing to walk: held in lists and Counters, the postings and counts
    of the PostgreSQL manual were a million references for every full collection to visit.
    """

    def __init__(self) -> None:
        self._ids: list[str] = []  # by serial number
        self._terms: dict[str, dict[str, int]] = {}
        self._lengths: dict[str, int] = {}
        self._postings: dict[str, array.array[int]] = {}

    def remember(self, chunk_id: str, text: str, section: str) -> None:
        if chunk_id in self._terms:
            return
        # A section's terms count twice, as in PostgreSQL's weights (pg_search_sql).
        heading = terms_of(section)
        counted = Counter(terms_of(text) + heading + heading)
        serial = len(self._ids)
        self._ids.append(chunk_id)
        self._terms[chunk_id] = dict(counted)
        self._lengths[chunk_id] = counted.total()
        for term in counted:
            holders = self._postings.get(term)
            if holders is None:
                holders = self._postings[term] = array.array("I")
            holders.append(serial)

    def of(self, chunk_id: str) -> Mapping[str, int]:
        """The chunk's terms with how often each occurs (its section's twice)."""
        return self._terms[chunk_id]

    def total_length(self, ids: Iterable[str]) -> int:
        return sum(self._lengths[i] for i in ids)

    def bm25(self, ids: Collection[str], average: float, text: str, depth: int) -> list[str]:
        """The first `depth` of `ids` holding a term of `text`, best BM25 score first, ties by
        id; `average` is the mean length of `ids`, the corpus being ranked.

        Each chunk's parts are summed in the order of the query's term set, as a pass over
        every chunk summed them, so every score comes out to the same bits.
        """
        query_terms = set(terms_of(text))
        if not query_terms or not ids:
            return []
        count = len(ids)
        idf: dict[str, float] = {}
        holding: dict[str, list[str]] = {}
        chunk_ids = self._ids
        for term in query_terms:
            holders = [
                i for i in map(chunk_ids.__getitem__, self._postings.get(term, ())) if i in ids
            ]
            if holders:
                frequency = len(holders)
                idf[term] = math.log((count - frequency + 0.5) / (frequency + 0.5) + 1.0)
                holding[term] = holders
        parts: dict[str, list[float]] = {}
        norms: dict[str, float] = {}
        for term, weight in idf.items():
            for chunk_id in holding[term]:
                norm = norms.get(chunk_id)
                if norm is None:
                    norm = norms[chunk_id] = 1 - _B + _B * self._lengths[chunk_id] / average
                occurrences = self._terms[chunk_id][term]
                part = weight * occurrences * (_K1 + 1) / (occurrences + _K1 * norm)
                parts.setdefault(chunk_id, []).append(part)
        scores = {i: sum(p) for i, p in parts.items()}  # sum(), as before: the same rounding
        ranked = {i: s for i, s in scores.items() if s > 0}
        return heapq.nsmallest(depth, ranked, key=lambda i: (-ranked[i], i))
