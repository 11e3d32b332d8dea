"""SQL of PgVectorIndex across embedding models: how much of the live corpus each holds, the
live chunks one lacks, and dropping one.

A chunk sits on one page of one document, and `live_pages` holds each page of a document
once, so a chunk row joins at most one live page: counted per model, rows are chunks.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from askdocs.application.ports.index import Coverage

# The ROLLUP row (GROUPING = 1) counts the distinct chunk ids over every model; over no live
# chunk at all, it is still there, with 0.
COVERAGE = """
SELECT GROUPING(c.embedding_model) = 1 AS every_model, c.embedding_model,
       count(DISTINCT c.id) AS chunks
FROM live_pages p
JOIN chunks c ON c.document_id = p.document_id AND c.page_sha256 = p.page_sha256
GROUP BY ROLLUP (c.embedding_model)
"""

# Live chunks of other models with no row of the model ($1), ids past $2 (none: from the
# first), $3 of them; of a chunk several models hold, one row, any (its fields are the same).
CHUNKS_WITHOUT = """
SELECT DISTINCT ON (c.id COLLATE "C")
    c.id, c.document_id, c.page_sha256, c.ordinal, c.text, c.token_count, c.section
FROM live_pages p
JOIN chunks c ON c.document_id = p.document_id AND c.page_sha256 = p.page_sha256
WHERE c.embedding_model <> $1
  AND ($2::text IS NULL OR c.id COLLATE "C" > $2::text)
  AND NOT EXISTS (
      SELECT 1 FROM chunks held WHERE held.embedding_model = $1 AND held.id = c.id
  )
ORDER BY c.id COLLATE "C", c.embedding_model
LIMIT $3
"""

DELETE_MODEL_CHUNKS = """
WITH dropped AS (DELETE FROM chunks WHERE embedding_model = $1 RETURNING 1)
SELECT count(*) FROM dropped
"""


def coverage(rows: Sequence[asyncpg.Record]) -> Coverage:
    """The rows of `COVERAGE` as a Coverage."""
    live = next(row["chunks"] for row in rows if row["every_model"])
    held = {row["embedding_model"]: row["chunks"] for row in rows if not row["every_model"]}
    return Coverage(live_chunks=live, by_model=held)
