"""VectorIndex on PostgreSQL: pgvector HNSW and full-text search, fused by reciprocal rank."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from askdocs.adapters.index import pg_models, pg_search, pg_search_sql, pg_sql
from askdocs.adapters.index.pg_lexemes import query_terms, tsvector_literal
from askdocs.adapters.index.pg_term_counts import KeptCounts
from askdocs.adapters.index.recall_sampling import RecallSampler
from askdocs.adapters.index.search_metrics import measured_search
from askdocs.adapters.postgres.database import Connection, PostgresDatabase
from askdocs.adapters.tracing.noop import NoopTracer
from askdocs.application.errors import InvalidInput
from askdocs.application.ports.index import (
    Coverage,
    IndexedChunk,
    Liveness,
    SearchHit,
    SearchQuery,
    TermCounts,
)
from askdocs.application.ports.observability import Metrics
from askdocs.application.ports.tracing import Span, Tracer
from askdocs.domain.chunking import Chunk


class PgVectorIndex:
    """Hybrid search in PostgreSQL: pgvector cosine HNSW and full-text rank, fused by RRF.

    Chunks of every embedding model share one table; each model gets a partial HNSW expression
    index when its first chunks arrive (and loses it with `drop_model`), of `hnsw_type`
    (halfvec for `vector` above 2,000 dimensions, none above 4,000: such models are always
    searched exactly). The rows a walk yields are ranked by their full vectors; a `bit` graph
    hands `hnsw_ef_search` of them to that re-rank. Filtered searches matching fewer than
    `exact_search_below` live chunks scan those exactly, since HNSW filters after walking the
    graph; other searches walk it with iterative scans, so a filter still yields `k` rows when
    that many chunks match. The full-text side ranks chunks holding any term of the question,
    terms of askdocs' own lexicon as in the embedded index (the rarest select the chunks
    ranked, see `pg_text_query`). A query without an embedding is ranked by that side alone
    (the `text` path).

    Args:
        database: the pool; pgvector's binary codec must be registered on its connections.
        rrf_k: the constant in reciprocal rank fusion; larger values flatten rank differences.
        vector_weight: weight of the vector ranking in the fused score.
        text_weight: weight of the full-text ranking in the fused score.
        candidates: how many chunks each ranking contributes before fusion (at least `k`).
        hnsw_type: what the HNSW graph holds of each vector (`vector`, `halfvec` or `bit`), for
            indexes created from now on; searches order by the same expression.
        hnsw_m: HNSW graph degree, for indexes created from now on.
        hnsw_ef_construction: HNSW build-time candidate list, for indexes created from now on.
        hnsw_ef_search: HNSW search-time candidate list.
        exact_search_below: filtered searches matching fewer live chunks are exact.
        metrics: receives `vector_search_duration_seconds` and `vector_search_requests` by
            `status` and `model` (search_metrics); the path each search took (`hnsw` or
            `exact`) is counted in `searches_by_path` instead, not as a label.
        recall_sample_rate: share of unfiltered HNSW searches re-run exactly in the
            background to publish the `vector_search_recall` gauge (0 turns it off).
        tracer: receives a span per search; both rankings run in one statement, so the span
            says which path it took (`askdocs.index.path`: `hnsw`, `exact` or `text`).

    Raises:
        ValueError: a knob out of range.
    """

    def __init__(
        self,
        database: PostgresDatabase,
        *,
        rrf_k: int,
        vector_weight: float,
        text_weight: float,
        candidates: int,
        hnsw_type: pg_sql.HnswType,
        hnsw_m: int,
        hnsw_ef_construction: int,
        hnsw_ef_search: int,
        exact_search_below: int,
        metrics: Metrics | None = None,
        recall_sample_rate: float,
        tracer: Tracer | None = None,
    ) -> None:
        if rrf_k < 0 or candidates < 1 or exact_search_below < 0:
            raise ValueError("rrf_k and exact_search_below must be >= 0, candidates >= 1")
        if not 2 <= hnsw_m <= 100 or not 2 * hnsw_m <= hnsw_ef_construction <= 1000:
            raise ValueError("hnsw_m must be 2..100 and hnsw_ef_construction 2*m..1000")
        if not 1 <= hnsw_ef_search <= 1000:
            raise ValueError("hnsw_ef_search must be 1..1000")
        self._database = database
        self._tracer: Tracer = tracer or NoopTracer()
        self._fusion = pg_search.Fusion(
            rrf_k,
            vector_weight,
            text_weight,
            candidates,
            exact_search_below,
            hnsw_type,
            rerank=hnsw_ef_search,
        )
        self._hnsw_type = hnsw_type
        self._m, self._ef_construction = hnsw_m, hnsw_ef_construction
        wanted = pg_search_sql.search_session_settings(hnsw_ef_search)
        started_with = database.server_settings
        ready = all(started_with.get(name) == value for name, value in wanted.items())
        self._hnsw_settings = "" if ready else pg_search_sql.set_local(wanted)
        self._metrics = metrics
        self.searches_by_path: Counter[str] = Counter()
        self.recall = (
            RecallSampler(
                database,
                metrics,
                rate=recall_sample_rate,
                ef_search=hnsw_ef_search,
                hnsw_type=hnsw_type,
            )
            if metrics is not None and recall_sample_rate > 0
            else None
        )
        # A model's dimension never changes once it has chunks, so it is safe to remember.
        self._dims: dict[str, int] = {}
        self._counts = KeptCounts()

    async def add(self, chunks: Sequence[IndexedChunk]) -> None:
        dims: dict[str, int] = {}
        records = []
        for seq, item in enumerate(chunks):  # validate the whole batch before storing any
            model, chunk = item.embedding_model, item.chunk
            if not pg_sql.is_model_id(model):
                raise InvalidInput(f"embedding model id {model!r} is not acceptable")
            expected = dims.get(model, self._dims.get(model))
            vector = pg_search.as_vector(item.embedding, expected, f"embedding of {chunk.id}")
            dims.setdefault(model, vector.size)
            row = (chunk.id, chunk.document_id, chunk.page_sha256, chunk.ordinal, chunk.text)
            lexemes = tsvector_literal(chunk.text, chunk.section)
            records.append((seq, model, *row, chunk.token_count, vector, chunk.section, lexemes))
        if not records:
            return
        async with self._database.transaction() as connection:
            new_models = [m for m, dim in dims.items() if await self._register(connection, m, dim)]
            await connection.execute(pg_sql.CREATE_IMPORT_TABLE)
            await connection.copy_records_to_table(
                pg_sql.IMPORT_TABLE, records=records, columns=pg_sql.IMPORT_COLUMNS
            )
            await connection.execute(pg_sql.INSERT_FROM_IMPORT)
            for model in new_models:
                # Built once the first batch is in: a bulk build is several times faster
                # than inserting the same rows one by one into an empty graph.
                if pg_sql.indexable(dims[model]):
                    ddl = pg_sql.create_index(
                        model,
                        dims[model],
                        self._hnsw_type,
                        m=self._m,
                        ef_construction=self._ef_construction,
                    )
                    await connection.execute(ddl)
        self._dims.update(dims)

    async def publish(self, liveness: Liveness) -> None:
        document_id, pages = liveness.document_id, liveness.pages
        async with self._database.transaction() as connection:
            # The upsert locks the document's row first, so concurrent publishes serialise.
            await connection.execute(
                pg_sql.UPSERT_LIVE_DOCUMENT,
                document_id,
                liveness.document_name,
                liveness.version,
                list(liveness.tags),
            )
            await connection.execute(pg_sql.DELETE_LIVE_PAGES, document_id)
            await connection.execute(
                pg_sql.INSERT_LIVE_PAGES,
                document_id,
                [page.page_sha256 for page in pages],
                [page.page_no for page in pages],
            )

    async def withdraw(self, document_id: str) -> None:
        async with self._database.connection() as connection:
            await connection.execute(pg_sql.DELETE_LIVE_DOCUMENT, document_id)

    async def search(self, query: SearchQuery) -> list[SearchHit]:
        attributes: dict[str, str | int] = {
            "db.system.name": "postgresql",
            "askdocs.index.k": query.k,
        }
        with (
            measured_search(self._metrics, query.embedding_model),
            self._tracer.span("vector_index.search", attributes=attributes) as span,
        ):
            return await self._search(query, span)

    async def _search(self, query: SearchQuery, span: Span) -> list[SearchHit]:
        async with self._database.connection() as connection:
            plan = await self._plan(connection, query)
            if plan is None:
                return []
            span.set_attributes({"askdocs.index.path": plan.path})
            rows = await pg_search.fetch(connection, plan, plan.sql, self._hnsw_settings)
        self.searches_by_path[plan.path] += 1
        sampled = plan.path == "hnsw" and not plan_filtered(query)
        if self.recall is not None and sampled and query.embedding is not None:
            dim = self._dims[query.embedding_model]
            vector = pg_search.as_vector(query.embedding, dim, "the query embedding")
            self.recall.offer(vector, query.embedding_model, dim, query.k)
        return [pg_search.hit(row) for row in rows]

    async def term_counts(self, embedding_model: str, terms: Sequence[str]) -> TermCounts:
        if not terms or not pg_sql.is_model_id(embedding_model):
            return TermCounts(chunks=0, counts={})
        total = self._counts.kept_chunk_total(embedding_model)
        counted = self._counts.kept_terms(embedding_model, terms)
        if len(counted) < len(terms) or total is None:
            async with self._database.connection() as connection:
                counted = await self._counts.count_terms(connection, embedding_model, terms)
                if total is None:
                    total = await self._counts.count_chunks(connection, embedding_model)
        return TermCounts(
            chunks=total, counts={t: h.chunks for t, h in counted.items() if h.chunks}
        )

    async def coverage(self) -> Coverage:
        async with self._database.connection() as connection:
            rows = await connection.fetch(pg_models.COVERAGE)
        return pg_models.coverage(rows)

    async def chunks_without(
        self, embedding_model: str, *, after: str | None, limit: int
    ) -> list[Chunk]:
        if limit <= 0:
            return []
        async with self._database.connection() as connection:
            rows = await connection.fetch(pg_models.CHUNKS_WITHOUT, embedding_model, after, limit)
        return [pg_search.chunk_of(row) for row in rows]

    async def drop_model(self, embedding_model: str) -> int:
        if not pg_sql.is_model_id(embedding_model):
            return 0  # an id that cannot be stored has no chunks
        async with self._database.transaction() as connection:
            # Under the registration lock: a first batch of the model waiting on it finds the
            # model gone once the drop commits, and registers it again, index and all.
            await connection.execute(pg_sql.LOCK_REGISTRATION, pg_sql.REGISTRATION_LOCK_KEY)
            dropped: int = await connection.fetchval(pg_models.DELETE_MODEL_CHUNKS, embedding_model)
            # Last: dropping the index locks the table against searches until the commit.
            await connection.execute(pg_sql.drop_index(embedding_model))
        self._dims.pop(embedding_model, None)
        self._counts.forget(embedding_model)
        return dropped

    async def explain(self, query: SearchQuery, *, analyze: bool = False) -> str:
        """The plan PostgreSQL runs for `query`, as text: a diagnostic beside the port."""
        async with self._database.connection() as connection:
            plan = await self._plan(connection, query)
            if plan is None:
                return ""
            options = "(ANALYZE, COSTS OFF)" if analyze else "(COSTS OFF)"
            explain = f"EXPLAIN {options} {plan.sql}"
            rows = await pg_search.fetch(connection, plan, explain, self._hnsw_settings)
        return "\n".join(row[0] for row in rows)

    async def _plan(
        self, connection: Connection, query: SearchQuery
    ) -> pg_search.SearchPlan | None:
        if query.k <= 0 or not pg_sql.is_model_id(query.embedding_model):
            return None  # an id that cannot be stored has no chunks
        dim = self._dims.get(query.embedding_model)
        if dim is None:
            dim = await connection.fetchval(pg_sql.MODEL_DIM, query.embedding_model)
            if dim is None:
                return None
            self._dims[query.embedding_model] = dim
        # The text ranking runs only when it can change the result, or is the only one.
        text_only = query.embedding is None
        text = query_terms(query.text) if text_only or self._fusion.text_weight != 0 else []
        if text_only and not text:
            return None  # nothing to rank by
        held = (
            await self._counts.count_terms(connection, query.embedding_model, text) if text else {}
        )
        weights = {term: by.selection_weight for term, by in held.items()}
        return await pg_search.plan(connection, query, dim, self._fusion, text, weights)

    async def _register(self, connection: Connection, model: str, dim: int) -> bool:
        """Check the model's dimension; True when the model is new and needs its index.

        A new model is registered under an advisory lock held to the end of the transaction,
        so two first batches of one model cannot disagree on its dimension.
        """
        known = self._dims.get(model)
        new = False
        if known is None:
            known = await connection.fetchval(pg_sql.MODEL_DIM, model)
            if known is None:
                await connection.execute(pg_sql.LOCK_REGISTRATION, pg_sql.REGISTRATION_LOCK_KEY)
                known = await connection.fetchval(pg_sql.MODEL_DIM, model)
                new = known is None
        if known is not None and known != dim:
            raise InvalidInput(f"embeddings of {model} have {known} dimensions, not {dim}")
        return new


def plan_filtered(query: SearchQuery) -> bool:
    """Filtered searches are not sampled: their exact path already answers them exactly."""
    return bool(query.tags or query.document_ids)
