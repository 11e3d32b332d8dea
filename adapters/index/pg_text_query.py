"""SQL of the full-text leg's query: any term of the question, the rarest ones selecting.

The question's terms come from askdocs' lexicon (`pg_lexemes.query_terms`), as a text array;
a natural question rarely has all of its terms in one chunk, so the leg matches any of them
(docs/adr/0008). From the terms come two queries:

- `ranking`, every term ORed: what `ts_rank` scores;
- `selecting`, what the GIN index matches: the terms rarest first, as many as stay within
  `SELECTION_BUDGET` estimated chunks (always at least one). Common words still count in the
  rank of a chunk a rarer word selected, but do not select chunks of their own: "object" alone
  matches a third of the Python manual, and ranking every chunk it matches costs more than
  the rest of the search together.

Estimates are the column's most-common-element frequencies from the planner's statistics
times the table's row count. A lexeme not among them counts as rare; without statistics
(before the first ANALYZE) every term selects, which is slower but no less right. A question
with no term (empty, only stop words) matches nothing, and the vector ranking alone orders
the hits.
"""

from __future__ import annotations

from askdocs.domain.evidence import TERM_COUNT_CAP

SELECTION_BUDGET = 1000
"""Estimated chunks the selecting words may match together: what bounds the ranking work."""

# Lexemes quoted as tsquery text prints them, with how many chunks hold each (an estimate).
_COMMON_LEXEMES = """
                        SELECT quote_literal(element.lexeme) AS lexeme,
                               element.frequency * t.reltuples AS estimate
                        FROM pg_class t
                        JOIN pg_stats s ON s.schemaname = t.relnamespace::regnamespace::name
                            AND s.tablename = t.relname AND s.attname = 'tsv'
                        CROSS JOIN unnest(
                            s.most_common_elems::text::text[], s.most_common_elem_freqs
                        ) AS element (lexeme, frequency)
                        WHERE t.oid = 'chunks'::regclass AND element.lexeme IS NOT NULL
                    """


def any_word_query(placeholder: str) -> str:
    """A one-row subquery of `ranking` and `selecting` (tsquery) for the question's terms
    bound to `placeholder` (`$6`, say) as a text array."""
    return f"""(
            SELECT
                ('( ' || string_agg(item, ' | ') || ' )')::tsquery AS ranking,
                ('( ' || string_agg(item, ' | ') FILTER (WHERE selects) || ' )')::tsquery
                    AS selecting
            FROM (
                SELECT item, (
                    row_number() OVER rarest_first = 1
                    OR sum(estimate) OVER rarest_first <= {SELECTION_BUDGET}
                ) AS selects
                FROM (
                    SELECT quote_literal(term) AS item, coalesce(common.estimate, 0) AS estimate
                    FROM unnest({placeholder}::text[]) AS term
                    LEFT JOIN ({_COMMON_LEXEMES}) AS common
                        ON common.lexeme = quote_literal(term)
                    WHERE term <> ''
                ) AS items
                WINDOW rarest_first AS (ORDER BY estimate, item)
            ) AS ranked
        )"""  # noqa: S608 - a placeholder and fixed text


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
