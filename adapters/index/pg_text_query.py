"""SQL of the full-text leg's query: any term of the question, the rarest ones selecting.

The question's terms come from askdocs' lexicon (`pg_lexemes.query_terms`), as a text array;
a natural question rarely has all of its terms in one chunk, so the leg matches any of them
(docs/adr/0008). From the terms come two queries:

- `ranking`, every term ORed: what `ts_rank` scores;
- `selecting`, what the GIN index matches: the terms rarest first, as many as hold at most
  `SELECTION_BUDGET` chunks together (always at least one). Common words still count in the
  rank of a chunk a rarer word selected, but do not select chunks of their own: "object" alone
  matches a third of the Python manual, and ranking every chunk it matches costs more than
  the rest of the search together.

How many chunks hold each term is counted through the GIN index (`TERM_COUNTS`, no further
than `TERM_COUNT_CAP`), the counts kept for a minute by the adapter, which needs them for the
passages' weights anyway. The planner's most-common-elements statistics gave the same
estimates for free, but not for a term missing from them, which counted as rare and selected
all its chunks: at 100k chunks, 5,350 rows ranked where the budget is 2,000 (ADR 40). A
question with no term (empty, only stop words) matches nothing, and the vector ranking alone
orders the hits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from askdocs.domain.evidence import TERM_COUNT_CAP

SELECTION_BUDGET = 2000
"""Chunks the selecting words may hold together: what bounds the ranking work. Stems that
join derived words ("recursion", "recursively") match more chunks each: at 1,000, questions
on the Python manual lost candidates the embedded index finds (ADR 21)."""


def selecting_terms(terms: Sequence[str], counts: Mapping[str, int]) -> list[str]:
    """The terms rarest first (ties by the term), as many as hold at most `SELECTION_BUDGET`
    chunks together by `counts` (a term absent from it is held by none), and always the
    rarest one."""
    chosen: list[str] = []
    held = 0
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
    """A one-row subquery of `ranking` and `selecting` (tsqueries): any term of the text
    arrays bound to the placeholders `ranking` and `selecting` (`$6`, `$7`, say)."""
    return f"(SELECT {_any_of(ranking)} AS ranking, {_any_of(selecting)} AS selecting)"


# How many chunks of the model ($1) hold each term ($2), counted no further than the cap:
# the GIN index answers each term without reading past the cap.
TERM_COUNTS = f"""
SELECT term, (
    SELECT count(*) FROM (
        SELECT 1 FROM chunks c
        WHERE c.embedding_model = $1 AND c.tsv @@ quote_literal(term)::tsquery
        LIMIT {TERM_COUNT_CAP}
    ) AS holding
) AS chunks
FROM unnest($2::text[]) AS term
"""  # noqa: S608 - a number and fixed text
MODEL_CHUNKS = "SELECT count(*) FROM chunks WHERE embedding_model = $1"
