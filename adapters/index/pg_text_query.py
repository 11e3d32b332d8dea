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

SELECTION_BUDGET = 2000
"""Estimated chunks the selecting words may match together: what bounds the ranking work.
Stems that join derived words ("recursion", "recursively") match more chunks each: at
1,000, questions on the Python manual lost candidates the embedded index finds (ADR 21)."""

# The chunks table's row count and schema, looked up by its oid; `pg_stats` filtered by
# these as values (not joined to pg_class by computed names) reads the catalogs through their
# indexes: the join scanned all of pg_attribute, once per term of the question.
_CHUNKS_ROWS = "(SELECT reltuples FROM pg_class WHERE oid = 'chunks'::regclass)"
_CHUNKS_SCHEMA = (
    "(SELECT relnamespace::regnamespace::name FROM pg_class WHERE oid = 'chunks'::regclass)"
)


def _common_lexemes(placeholder: str) -> str:
    """Those of the terms bound to `placeholder` among the column's most common elements,
    with how many chunks hold each (an estimate). Materialised, so the statistics are read
    once per search rather than once per term."""
    return f"""
                        SELECT element.lexeme, element.frequency * {_CHUNKS_ROWS} AS estimate
                        FROM pg_stats s
                        CROSS JOIN unnest(
                            s.most_common_elems::text::text[], s.most_common_elem_freqs
                        ) AS element (lexeme, frequency)
                        WHERE s.schemaname = {_CHUNKS_SCHEMA}
                            AND s.tablename = 'chunks' AND s.attname = 'tsv'
                            AND element.lexeme = ANY({placeholder}::text[])
                    """  # noqa: S608 - a placeholder and fixed text


def any_word_query(placeholder: str) -> str:
    """A one-row subquery of `ranking` and `selecting` (tsquery) for the question's terms
    bound to `placeholder` (`$6`, say) as a text array."""
    return f"""(
            WITH common AS MATERIALIZED ({_common_lexemes(placeholder)})
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
                    LEFT JOIN common ON common.lexeme = term
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
