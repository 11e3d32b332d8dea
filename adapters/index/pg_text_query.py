"""SQL of the full-text leg's query: any word of the question, the rarest ones selecting.

`websearch_to_tsquery` ANDs every word, and a natural question rarely has all of its words in
one chunk, so its result is taken apart and put back together (docs/adr/0008). Its text form
is items joined by ` & ` and ` | ` and never nested: a lexeme `'word'`, a phrase
`'a' <-> 'b'`, or a negated lexeme or phrase `!'word'`, `!( 'a' <-> 'b' )`; no item contains
either separator, so splitting on them yields the items. From them come two queries:

- `ranking`, every positive item ORed: what `ts_rank` scores (a negation would make it score
  the AND of the items instead, by their proximity);
- `selecting`, what the GIN index matches: the positive items rarest first, as many as stay
  within `SELECTION_BUDGET` estimated chunks (always at least one), ANDed with every negated
  item. Common words still count in the rank of a chunk a rarer word selected, but do not
  select chunks of their own: "object" alone matches a third of the Python manual, and
  ranking every chunk it matches costs more than the rest of the search together.

Estimates are the column's most-common-element frequencies from the planner's statistics
times the table's row count. A lexeme not among them (or any phrase) counts as rare; without
statistics (before the first ANALYZE) every word selects, which is slower but no less right.
A question with no positive item (empty, only stop words, only negations) yields NULL: it
matches nothing, and the vector ranking alone orders the hits.
"""

from __future__ import annotations

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
    """A one-row subquery of `ranking` and `selecting` (tsquery) for the question bound to
    `placeholder` (`$6`, say)."""
    return f"""(
            SELECT
                ('( ' || string_agg(item, ' | ') FILTER (WHERE NOT negated) || ' )')::tsquery
                    AS ranking,
                ('( ' || string_agg(item, ' | ') FILTER (WHERE selects) || ' )'
                 || coalesce(' & ' || string_agg(item, ' & ') FILTER (WHERE negated), ''))::tsquery
                    AS selecting
            FROM (
                SELECT item, negated, NOT negated AND (
                    row_number() OVER rarest_first = 1
                    OR sum(estimate) OVER rarest_first <= {SELECTION_BUDGET}
                ) AS selects
                FROM (
                    SELECT item, left(item, 1) = '!' AS negated,
                           coalesce(common.estimate, 0) AS estimate
                    FROM regexp_split_to_table(
                        websearch_to_tsquery('english', {placeholder})::text, ' [&|] '
                    ) AS item
                    LEFT JOIN ({_COMMON_LEXEMES}) AS common ON common.lexeme = item
                    WHERE item <> ''
                ) AS items
                WINDOW rarest_first AS (PARTITION BY negated ORDER BY estimate, item)
            ) AS ranked
        )"""  # noqa: S608 - a placeholder and fixed text
