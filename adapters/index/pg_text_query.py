"""SQL of the full-text leg's query: any term of the question, the rarest ones selecting.

The question's terms come from askdocs' lexicon (`pg_lexemes.query_terms`), as a text array;
a natural question rarely has all of its terms in one chunk, so the leg matches any of them
(docs/adr/0008). From the terms come two queries:

- `ranking`, every term ORed: what `ts_rank` scores;
- `selecting`, what the GIN index matches: the terms rarest first, as many as hold at most
  `SELECTION_BUDGET` chunks together. Common words still count in the rank of a chunk a rarer
  word selected, but do not select chunks of their own: "object" alone matches a third of the
  Python manual, and ranking every chunk it matches costs more than the rest of the search
  together. When even the rarest word holds more than the budget (a question of common words
  over a large corpus), a chunk must hold it and one of the next rarest words to be selected
  (`PAIRED_TERMS` in all), which never selects more than the rarest word alone: `ts_rank`
  puts the chunks holding one word of the question below those holding two anyway.

How many chunks hold each term is counted through the GIN index (`TERM_COUNTS`, no further
than `TERM_COUNT_CAP`), the counts kept for a minute by the adapter, which needs them for the
passages' weights anyway. Past the cap, a count cannot say which of two common terms is
rarer; there the planner's most-common-elements statistics can, as common terms are the ones
they list. Alone, the statistics were wrong the other way: a term missing from them counted as
rare and selected all its chunks (at 100k chunks, 5,350 rows ranked where the budget is
2,000; ADR 40). A
question with no term (empty, only stop words) matches nothing, and the vector ranking alone
orders the hits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from askdocs.adapters.index.pg_lexemes import quoted
from askdocs.domain.evidence import TERM_COUNT_CAP

SELECTION_BUDGET = 2000
"""Chunks the selecting words may hold together: what bounds the ranking work. Stems that
join derived words ("recursion", "recursively") match more chunks each: at 1,000, questions
on the Python manual lost candidates the embedded index finds (ADR 21)."""


class HeldBy(NamedTuple):
    """How many chunks hold a term: counted up to `TERM_COUNT_CAP`, and the statistics'
    estimate (0 when they do not list the term)."""

    chunks: int
    estimate: float

    @property
    def selection_weight(self) -> float:
        """The count, or past the cap whichever of count and estimate is larger."""
        return self.chunks if self.chunks < TERM_COUNT_CAP else max(self.chunks, self.estimate)


PAIRED_TERMS = 4
"""Of a question whose rarest word is past the budget, how many of the rarest words take part
in selecting: the rarest, and one more of the next."""


def selecting_query(terms: Sequence[str], counts: Mapping[str, float]) -> str:
    """The `selecting` tsquery, as text, for the question's `terms` held by `counts` chunks."""
    terms = [term for term in terms if term]
    chosen = selecting_terms(terms, counts)
    if len(chosen) == 1 and len(terms) > 1 and counts.get(chosen[0], 0) > SELECTION_BUDGET:
        rarest, *next_rarest = sorted(terms, key=lambda t: (counts.get(t, 0), t))[:PAIRED_TERMS]
        return f"{quoted(rarest)} & ( {' | '.join(quoted(t) for t in next_rarest)} )"
    return " | ".join(quoted(term) for term in chosen)


def selecting_terms(terms: Sequence[str], counts: Mapping[str, float]) -> list[str]:
    """The terms rarest first (ties by the term), as many as hold at most `SELECTION_BUDGET`
    chunks together by `counts` (a term absent from it is held by none), and always the
    rarest one."""
    chosen: list[str] = []
    held = 0.0
    for term in sorted(terms, key=lambda t: (counts.get(t, 0), t)):
        held += counts.get(term, 0)
        if chosen and held > SELECTION_BUDGET:
            break
        chosen.append(term)
    return chosen


def _any_of(placeholder: str) -> str:
    tsquery = "('( ' || string_agg(quote_literal(term), ' | ') || ' )')::tsquery"
    return f"(SELECT {tsquery} FROM unnest({placeholder}::text[]) AS term WHERE term <> '')"  # noqa: S608 - a placeholder and fixed text


def any_word_query(ranking: str, selecting: str) -> str:
    """A one-row subquery of `ranking` (any term of the text array bound to the placeholder
    `ranking`, `$6` say) and `selecting` (the tsquery text bound to `selecting`)."""
    return f"(SELECT {_any_of(ranking)} AS ranking, {selecting}::tsquery AS selecting)"


# The chunks table's row count and schema, looked up by its oid; `pg_stats` filtered by
# these as values (not joined to pg_class by computed names) reads the catalogs through their
# indexes: the join scanned all of pg_attribute, once per term of the question.
_CHUNKS_ROWS = "(SELECT reltuples FROM pg_class WHERE oid = 'chunks'::regclass)"
_CHUNKS_SCHEMA = (
    "(SELECT relnamespace::regnamespace::name FROM pg_class WHERE oid = 'chunks'::regclass)"
)

# How many chunks of the model ($1) hold each term ($2), counted no further than the cap (the
# GIN index answers each term without reading past it), and, for the terms among the column's
# most common elements, the planner's estimate of how many chunks hold them: it orders terms
# past the cap, which the count cannot (0 for the others).
TERM_COUNTS = f"""
WITH common AS MATERIALIZED (
    SELECT element.lexeme, element.frequency * {_CHUNKS_ROWS} AS estimate
    FROM pg_stats s
    CROSS JOIN unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs)
        AS element (lexeme, frequency)
    WHERE s.schemaname = {_CHUNKS_SCHEMA} AND s.tablename = 'chunks' AND s.attname = 'tsv'
        AND element.lexeme = ANY($2::text[])
)
SELECT term, (
    SELECT count(*) FROM (
        SELECT 1 FROM chunks c
        WHERE c.embedding_model = $1 AND c.tsv @@ quote_literal(term)::tsquery
        LIMIT {TERM_COUNT_CAP}
    ) AS holding
) AS chunks, coalesce((SELECT estimate FROM common WHERE lexeme = term), 0) AS estimate
FROM unnest($2::text[]) AS term
"""  # noqa: S608 - a number and fixed text
MODEL_CHUNKS = "SELECT count(*) FROM chunks WHERE embedding_model = $1"
