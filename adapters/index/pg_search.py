"""Running PgVectorIndex's hybrid search: choosing the path, the round trips, the hits."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import asyncpg
import numpy as np
import numpy.typing as npt

from askdocs.adapters.index import pg_search_sql
from askdocs.adapters.index.pg_search_sql import Path, SearchShape
from askdocs.adapters.index.pg_sql import MAX_DIM, HnswType, indexable, stored_type
from askdocs.adapters.index.pg_text_query import selecting_query
from askdocs.adapters.postgres.database import Connection
from askdocs.application.errors import InvalidInput
from askdocs.application.ports.index import Liveness, SearchHit, SearchQuery
from askdocs.domain.chunking import Chunk

Vector = npt.NDArray[np.float32]


def as_vector(values: Sequence[float], dim: int | None, label: str) -> Vector:
    """`values` as float32, refused with InvalidInput unless it has `dim` numbers."""
    vector = np.asarray(values, dtype=np.float32)
    if vector.ndim != 1 or not 0 < vector.size <= MAX_DIM:
        raise InvalidInput(f"{label} must be a list of 1 to {MAX_DIM} numbers")
    if dim is not None and vector.size != dim:
        raise InvalidInput(f"{label} has {vector.size} dimensions, the model has {dim}")
    return vector


@dataclasses.dataclass(frozen=True, slots=True)
class Fusion:
    """The search knobs: fusion weights, depth, the exact-path threshold, what the HNSW graph
    holds and how many rows of its walk a `bit` graph hands to the exact re-rank."""

    rrf_k: int
    vector_weight: float
    text_weight: float
    candidates: int
    exact_below: int
    hnsw_type: HnswType
    rerank: int


@dataclasses.dataclass(frozen=True, slots=True)
class SearchPlan:
    """One search, ready to run: which path, its SQL text and its arguments."""

    path: Path
    sql: str
    arguments: list[object]


async def plan(
    connection: Connection,
    query: SearchQuery,
    dim: int,
    fusion: Fusion,
    text: Sequence[str],
    term_weights: Mapping[str, float],
) -> SearchPlan:
    """The path and statement for `query` over a model of `dim` dimensions: `text` is the
    terms the full-text leg looks for (none: no text leg), `term_weights` how many chunks hold
    each, for choosing the terms that select (see `pg_text_query`). A query without an
    embedding is planned by `text_plan`.

    HNSW filters after walking the graph, so a filtered query first counts the live chunks
    it may return (no further than the threshold): below it, an exact scan of just those
    chunks is cheaper than walking the graph until enough of them turn up.
    """
    if query.embedding is None:
        return text_plan(query, dim, fusion, text, term_weights)
    vector = as_vector(query.embedding, dim, "the query embedding")
    filters = _filter_arguments(query)

    # Alone, the vector ranking's top k is the result: walking deeper only costs time.
    depth = max(fusion.candidates, query.k) if text else query.k

    def shape(path: Path) -> SearchShape:
        return SearchShape(
            model=query.embedding_model,
            dim=dim,
            path=path,
            tags=bool(query.tags),
            documents=bool(query.document_ids),
            text=bool(text),
            depth=depth,
            k=query.k,
            hnsw_type=fusion.hnsw_type,
            walk=fusion.rerank if stored_type(fusion.hnsw_type, dim) == "bit" else 0,
        )

    path: Path = "hnsw" if indexable(dim) else "exact"
    if path == "hnsw" and filters and fusion.exact_below > 0:
        count_sql = pg_search_sql.count_live(dataclasses.replace(shape("exact"), depth=0, k=0))
        count = await connection.fetchval(count_sql, fusion.exact_below, *filters)
        if count < fusion.exact_below:
            path = "exact"
    arguments = [
        vector,
        fusion.rrf_k,
        fusion.vector_weight,
        *([text, selecting_query(text, term_weights), fusion.text_weight] if text else []),
        *filters,
    ]
    return SearchPlan(path, pg_search_sql.search(shape(path)), arguments)


def text_plan(
    query: SearchQuery,
    dim: int,
    fusion: Fusion,
    text: Sequence[str],
    term_weights: Mapping[str, float],
) -> SearchPlan:
    """The statement ranking `query`'s chunks by their text alone (`text` must hold a term):
    the text ranking needs no vector and no graph, whatever the filters."""
    shape = SearchShape(
        model=query.embedding_model,
        dim=dim,
        path="text",
        tags=bool(query.tags),
        documents=bool(query.document_ids),
        text=True,
        depth=max(fusion.candidates, query.k),
        k=query.k,
    )
    arguments = [
        fusion.rrf_k,
        text,
        selecting_query(text, term_weights),
        fusion.text_weight,
        *_filter_arguments(query),
    ]
    return SearchPlan("text", pg_search_sql.text_search(shape), arguments)


def _filter_arguments(query: SearchQuery) -> list[list[str]]:
    """The tags and the document ids, each when the query filters by them."""
    return [values for values in (list(query.tags), list(query.document_ids)) if values]


async def fetch(
    connection: Connection, plan: SearchPlan, sql: str, hnsw_settings: str
) -> list[asyncpg.Record]:
    """Run `sql` (the plan's, or an EXPLAIN of it) with the plan's arguments.

    `hnsw_settings` are SET LOCAL commands an HNSW scan needs, empty when the connection
    already starts with them.
    """
    if plan.path != "hnsw" or not hnsw_settings:
        return await connection.fetch(sql, *plan.arguments)
    # One message opens the transaction and sets what the HNSW scan reads: asyncpg's
    # transaction() would spend a round trip of its own on BEGIN (measured ~80 us more).
    await connection.execute(f"BEGIN; {hnsw_settings}")
    try:
        return await connection.fetch(sql, *plan.arguments)
    finally:
        await connection.execute("COMMIT")  # read-only; on a failed transaction, a rollback


def chunk_of(row: asyncpg.Record) -> Chunk:
    """The chunk in a row holding the columns of one."""
    return Chunk(
        id=row["id"],
        document_id=row["document_id"],
        page_sha256=row["page_sha256"],
        ordinal=row["ordinal"],
        text=row["text"],
        token_count=row["token_count"],
        section=row["section"],
    )


def hit(row: asyncpg.Record) -> SearchHit:
    """A result row as a SearchHit labelled by its document (no page list)."""
    chunk = chunk_of(row)
    liveness = Liveness(
        document_id=row["document_id"],
        document_name=row["name"],
        version=row["version"],
        tags=tuple(row["tags"]),
        pages=(),
    )
    return SearchHit(chunk=chunk, score=row["score"], liveness=liveness, page_no=row["page_no"])
