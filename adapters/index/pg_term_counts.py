"""What PgVectorIndex keeps of its counts: how many chunks of a model hold each term, and how
many chunks the model has, each reused for a minute."""

from __future__ import annotations

import time
from collections.abc import Sequence

from cachetools import TTLCache

from askdocs.adapters.index import pg_text_query
from askdocs.adapters.index.pg_text_query import HeldBy
from askdocs.adapters.postgres.database import Connection

CHUNK_TOTAL_TTL_S = 60.0
"""How long a model's chunk count is reused: it scales term weights, and a minute-old count
weighs them the same; counting every chunk for every question would not scale. Counts of
single terms are reused as long, for the same reason: a question's terms are mostly ones an
earlier question had, and counting them was a round trip of every question."""
KEPT_TERM_COUNTS = 65536


class KeptCounts:
    """Each model's term counts and chunk total, counted in the database and kept for
    `CHUNK_TOTAL_TTL_S`."""

    def __init__(self) -> None:
        self._chunk_totals: dict[str, tuple[int, float]] = {}
        self._held: TTLCache[tuple[str, str], HeldBy] = TTLCache(
            maxsize=KEPT_TERM_COUNTS, ttl=CHUNK_TOTAL_TTL_S
        )

    def kept_terms(self, model: str, terms: Sequence[str]) -> dict[str, HeldBy]:
        """The counts kept of those of `terms` that have one."""
        held = self._held
        return {t: held[model, t] for t in terms if (model, t) in held}

    def kept_chunk_total(self, model: str) -> int | None:
        """The model's chunk total, unless none is kept or it is older than the TTL."""
        kept = self._chunk_totals.get(model)
        if kept is None or time.monotonic() - kept[1] >= CHUNK_TOTAL_TTL_S:
            return None
        return kept[0]

    async def count_terms(
        self, connection: Connection, model: str, terms: Sequence[str]
    ) -> dict[str, HeldBy]:
        """How many chunks hold each term (up to the cap), counting those not kept: the search
        selects by them, then the question's passages are weighted by them."""
        # What is kept now: an entry may expire while the missing terms are counted.
        counted = self.kept_terms(model, terms)
        missing = [t for t in terms if t not in counted]
        if missing:
            rows = await connection.fetch(pg_text_query.TERM_COUNTS, model, missing)
            fresh = {row["term"]: HeldBy(row["chunks"], row["estimate"]) for row in rows}
            counted.update(fresh)
            self._held.update({(model, t): n for t, n in fresh.items()})
        return counted

    async def count_chunks(self, connection: Connection, model: str) -> int:
        """The model's chunk total, counted now and kept."""
        total: int = await connection.fetchval(pg_text_query.MODEL_CHUNKS, model)
        self._chunk_totals[model] = (total, time.monotonic())
        return total

    def forget(self, model: str) -> None:
        """Drop whatever is kept of the model: its chunks are gone."""
        self._chunk_totals.pop(model, None)
        for kept in [key for key in self._held if key[0] == model]:
            self._held.pop(kept, None)
