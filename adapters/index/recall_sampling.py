"""RecallSampler: re-runs a sample of HNSW searches exactly and reports the overlap.

HNSW trades exactness for speed, and how much it loses depends on the data and on ef_search.
A fraction of unfiltered searches is re-run in the background, once through the HNSW index and
once as an exact scan, and the share of the exact top-k that HNSW also found is published as the
`vector_search_recall` gauge, by `k` (recall@5 and recall@50 are not one number), so a drop in
recall shows up in monitoring, not in user reports.
"""

from __future__ import annotations

import asyncio
import random

import numpy as np
import numpy.typing as npt
import structlog

from askdocs.adapters.index import pg_search_sql, pg_sql
from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.application.errors import AppError
from askdocs.application.ports import Metrics

log = structlog.get_logger("askdocs.index")
_LIVE_CHUNKS = """
    SELECT c.id, c.embedding <=> $1 AS distance FROM chunks c
    WHERE c.embedding_model = $2
      AND EXISTS (SELECT 1 FROM live_pages lp
                  WHERE lp.document_id = c.document_id AND lp.page_sha256 = c.page_sha256)
    ORDER BY {order} LIMIT {limit}
"""


def _hnsw_sql(dim: int, hnsw_type: pg_sql.HnswType, ef_search: int) -> str:
    """The walk as searches make it, its rows ranked by the full vectors (a `bit` walk hands
    `ef_search` of them to that re-rank, as `PgVectorIndex` does)."""
    order = pg_sql.walk_order(dim, hnsw_type, "c.", "$1")
    bits = pg_sql.stored_type(hnsw_type, dim) == "bit"
    walk = _LIVE_CHUNKS.format(
        order=order, limit=f"greatest($3, {int(ef_search)})" if bits else "$3"
    )
    return f"SELECT id FROM ({walk}) AS walked ORDER BY distance LIMIT $3"  # noqa: S608 - fixed text and numbers


# The bare column matches no index expression, so this ordering is always an exact scan.
_EXACT_SQL = _LIVE_CHUNKS.format(order="distance", limit="$3")


class RecallSampler:
    """Samples `rate` of the searches it is offered; never slows or fails the search itself."""

    def __init__(
        self,
        database: PostgresDatabase,
        metrics: Metrics,
        *,
        rate: float,
        ef_search: int,
        hnsw_type: pg_sql.HnswType,
        rng: random.Random | None = None,
    ) -> None:
        self._database, self._metrics = database, metrics
        self._rate, self._ef_search, self._hnsw_type = rate, ef_search, hnsw_type
        self._rng = rng or random.Random()
        self._running: set[asyncio.Task[float | None]] = set()

    def offer(self, vector: npt.NDArray[np.float32], model: str, dim: int, k: int) -> None:
        """Maybe start a background recall measurement for this query."""
        if self._rate <= 0 or self._rng.random() >= self._rate:
            return
        task = asyncio.create_task(self.measure(vector, model, dim, k))
        self._running.add(task)  # keep a reference until done, or the task may be collected
        task.add_done_callback(self._running.discard)

    async def measure(
        self, vector: npt.NDArray[np.float32], model: str, dim: int, k: int
    ) -> float | None:
        """Recall@k of the HNSW path against an exact scan, published as a gauge."""
        try:
            async with self._database.transaction() as connection:
                settings = pg_search_sql.search_session_settings(self._ef_search)
                await connection.execute(pg_search_sql.set_local(settings))
                sql = _hnsw_sql(dim, self._hnsw_type, self._ef_search)
                approximate = await connection.fetch(sql, vector, model, k)
            async with self._database.connection() as connection:
                exact = await connection.fetch(_EXACT_SQL, vector, model, k)
        except AppError as exc:
            log.warning("recall_sample_failed", error=str(exc))
            return None
        if not exact:
            return None
        found = {row["id"] for row in approximate}
        recall = sum(row["id"] in found for row in exact) / len(exact)
        self._metrics.gauge("vector_search_recall", recall, tags={"k": str(k)})
        return recall

    async def drain(self) -> None:
        """Wait for measurements under way (tests, shutdown)."""
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
