"""Make again the full-text terms of chunks stored by an earlier version of the lexicon.

The terms in `chunks.tsv` come from `askdocs.domain.lexicon`; when its rules change
(`LEXICON_VERSION`), rows stored before would keep terms the questions no longer ask for.
Each row records the version that made its terms (`chunks.lexicon`, migration 0008); this
remakes older rows from their text and section, a batch per transaction, so it can stop and
resume, and two processes doing it at once only repeat some work.
"""

from __future__ import annotations

from askdocs.adapters.index.pg_lexemes import tsvector_literal
from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.domain.lexicon import LEXICON_VERSION

BATCH = 500
_OLDER = """
SELECT embedding_model, id, text, section FROM chunks
WHERE lexicon < $1
ORDER BY embedding_model, id
LIMIT $2
"""
_REMADE = """
UPDATE chunks SET tsv = $3::tsvector, lexicon = $4
WHERE embedding_model = $1 AND id = $2
"""


async def refresh_terms(database: PostgresDatabase, *, batch: int = BATCH) -> int:
    """Remake the terms of every chunk an earlier lexicon made; the number of chunks remade.

    Raises:
        UpstreamError: the database failed; the rows remade so far stay remade.
    """
    remade = 0
    while True:
        async with database.transaction() as connection:
            rows = await connection.fetch(_OLDER, LEXICON_VERSION, batch)
            await connection.executemany(
                _REMADE,
                [
                    (row["embedding_model"], row["id"],
                     tsvector_literal(row["text"], row["section"]), LEXICON_VERSION)
                    for row in rows
                ],
            )  # fmt: skip
        remade += len(rows)
        if len(rows) < batch:
            return remade
