"""SQL text of PgVectorIndex's hybrid search: one statement per model, path and filter set.

The statement ranks the live chunks that pass the filters twice, by cosine distance and by
full-text rank (of chunks holding any word of the question: `pg_text_query`), `depth` deep
each, and fuses the two rankings by weighted reciprocal rank:
score = vector_weight / (rrf_k + vector rank) + text_weight / (rrf_k + text rank).
A query without an embedding runs the text ranking alone (`text_search`), each hit scored
text_weight / (rrf_k + text rank).
Ties fall to the smaller chunk id in byte order (COLLATE "C"), as in the in-memory index.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Literal

from askdocs.adapters.index.pg_sql import HnswType, exact_distance, literal, walk_order
from askdocs.adapters.index.pg_text_query import any_word_query

Path = Literal["hnsw", "exact", "text"]  # "text": the text ranking alone, no vector
# ts_rank's weights of D, C, B and A lexemes: a section's terms (A) count twice, as in the
# embedded index.
SECTION_WEIGHTS = "'{0.1, 0.1, 0.1, 0.2}'::float4[]"


def search_session_settings(ef_search: int) -> dict[str, str]:
    """What a search needs from its session, as settings a connection can start with.

    The HNSW scan keeps walking the graph until the filters are met. JIT is off: compiling
    costs tens of milliseconds, and the planner's cost guesses for a ranking over a large
    table can cross its threshold. Plans are generic: a search statement already carries the
    model and path in its text, so planning it again for each query vector only costs time
    (about a millisecond of a few). A pool whose connections start with these
    (PostgresDatabase's `server_settings`) saves each search a transaction around it.
    """
    return {
        "hnsw.ef_search": str(int(ef_search)),
        "hnsw.iterative_scan": "relaxed_order",
        "jit": "off",
        "plan_cache_mode": "force_generic_plan",
    }


def set_local(settings: dict[str, str]) -> str:
    """`settings` as transaction-local SET commands, for a pool that does not start with them."""
    return "; ".join(f"SET LOCAL {name} = {value}" for name, value in settings.items())


@dataclasses.dataclass(frozen=True, slots=True)
class SearchShape:
    """What varies the search text: the model, its dimension, the path, which inputs, and
    the row counts (as literals, so a generic plan is costed for them: see
    `search_session_settings`)."""

    model: str
    dim: int
    path: Path
    tags: bool
    documents: bool
    text: bool
    depth: int = 0  # candidates per ranking
    k: int = 0
    hnsw_type: HnswType = "vector"
    walk: int = 0  # rows of the HNSW walk re-ranked by the full vectors; 0: `depth`

    def optional_parameters(self, first: int) -> dict[str, str]:
        """Placeholders of the optional inputs present, numbered without gaps from `first`."""
        wanted = (
            ("text", self.text),
            ("selecting", self.text),
            ("text_weight", self.text),
            ("tags", self.tags),
            ("documents", self.documents),
        )
        present = [name for name, used in wanted if used]
        return {name: f"${first + n}" for n, name in enumerate(present)}


def _filters(shape: SearchShape, parameters: dict[str, str], alias: str) -> list[str]:
    lines = []
    if shape.tags:
        lines.append(f"AND d.tags @> {parameters['tags']}::text[]")
    if shape.documents:
        lines.append(f"AND {alias}.document_id = ANY({parameters['documents']}::text[])")
    return lines


def _live_chunks(
    shape: SearchShape, parameters: dict[str, str], *, join: str = "", where: str = ""
) -> str:
    """FROM ... WHERE: the model's chunks on live pages that pass the filters, as joins."""
    lines = [
        "FROM chunks c",
        "JOIN live_pages p ON p.document_id = c.document_id AND p.page_sha256 = c.page_sha256",
    ]
    if shape.tags:  # without a tag filter, a live page already implies a live document
        lines.append("JOIN live_documents d ON d.document_id = c.document_id")
    if join:
        lines.append(join)
    lines.append(f"WHERE c.embedding_model = {literal(shape.model)}")
    if where:
        lines.append(f"AND {where}")
    lines.extend(_filters(shape, parameters, "c"))
    return "\n        ".join(lines)


def _live_chunks_by_subquery(shape: SearchShape, parameters: dict[str, str]) -> str:
    """FROM ... WHERE with liveness and filters as a scalar subquery on each chunk.

    As joins, the planner misjudges how many chunks are live (a two-column join to
    live_pages), prefers sorting every chunk to walking the graph and never uses the index.
    A scalar subquery is never turned into a join: it filters the index scan's rows, and the
    iterative scan keeps walking until `LIMIT` rows pass it.
    """
    lines = [
        "FROM chunks c",
        f"WHERE c.embedding_model = {literal(shape.model)}",
        "AND (SELECT true FROM live_pages p",
    ]
    if shape.tags:
        lines.append("    JOIN live_documents d ON d.document_id = p.document_id")
    lines.append("    WHERE p.document_id = c.document_id AND p.page_sha256 = c.page_sha256")
    lines.extend("    " + line for line in _filters(shape, parameters, "p"))
    lines[-1] += ")"
    return "\n        ".join(lines)


@functools.lru_cache(maxsize=256)
def count_live(shape: SearchShape) -> str:
    """How many live chunks pass the filters, counted no further than $1.

    Parameters: $1 the limit, then the tags and the document ids when filtered by them.
    """
    parameters = dataclasses.replace(shape, text=False).optional_parameters(2)
    return f"""SELECT count(*) FROM (
        SELECT 1
        {_live_chunks(shape, parameters)}
        LIMIT $1
    ) AS matching"""  # noqa: S608 - literals are validated model ids, numbers and fixed text


@functools.lru_cache(maxsize=256)
def search(shape: SearchShape) -> str:
    """The hybrid search, one statement.

    Parameters: $1 query vector, $2 rrf_k, $3 vector weight; then, numbered on from $4 when
    present: the question's terms, those of them that select, the text weight, the tags,
    the document ids.
    """
    parameters = shape.optional_parameters(4)
    depth = int(shape.depth)
    distance = exact_distance(shape.dim, "c.", "$1")
    if shape.path == "hnsw":
        # Ordered by exactly the index's expression, so the planner can walk the HNSW graph;
        # the rows it yields are ranked by the full vectors below (relaxed_order scans may
        # return them slightly out of order, halfvec and bit distances are approximate).
        order = walk_order(shape.dim, shape.hnsw_type, "c.", "$1")
        candidates = _live_chunks_by_subquery(shape, parameters)
    else:
        # The bare column matches no index expression: an exact scan of the filtered rows.
        order = 'distance, c.id COLLATE "C"'
        candidates = _live_chunks(shape, parameters)
    walk = max(int(shape.walk), depth) if shape.path == "hnsw" else depth
    vector_candidates = f"""SELECT c.id, {distance} AS distance
        {candidates}
    ORDER BY {order}
    LIMIT {walk}"""
    if walk > depth:  # the walk's coarse top is re-ranked by the full vectors
        vector_candidates = f"""SELECT id, distance FROM (
    {vector_candidates}
    ) AS walked
    ORDER BY distance, id COLLATE "C"
    LIMIT {depth}"""  # noqa: S608 - literals are validated model ids, numbers and fixed text
    text_ranking = text_scores = ""
    if shape.text:
        text_ranking = ",\n" + _text_ranked(shape, parameters)
        text_scores = f"""
        UNION ALL
        SELECT id, {parameters["text_weight"]}::float8 / ($2::integer + rank) FROM text_ranked"""  # noqa: S608 - literals are validated model ids, numbers and fixed text
    vector_scores = "SELECT id, $3::float8 / ($2::integer + rank) AS score FROM vector_ranked"
    return f"""WITH vector_candidates AS MATERIALIZED (
    {vector_candidates}
),
vector_ranked AS (
    SELECT id, row_number() OVER (ORDER BY distance, id COLLATE "C") AS rank
    FROM vector_candidates
){text_ranking},
{_fused_hits(shape, vector_scores + text_scores)}"""  # noqa: S608 - literals are validated model ids, numbers and fixed text


@functools.lru_cache(maxsize=256)
def text_search(shape: SearchShape) -> str:
    """The text ranking alone, for a query without an embedding: the hybrid statement's
    text leg, each hit scored text_weight / (rrf_k + text rank).

    Parameters: $1 rrf_k, then from $2: the question's terms, those of them that select, the
    text weight, the tags, the document ids.
    """
    parameters = shape.optional_parameters(2)
    text_weight = parameters["text_weight"]
    scores = f"SELECT id, {text_weight}::float8 / ($1::integer + rank) AS score FROM text_ranked"  # noqa: S608 - a placeholder and fixed text
    return f"""WITH {_text_ranked(shape, parameters)},
{_fused_hits(shape, scores)}"""


def _text_ranked(shape: SearchShape, parameters: dict[str, str]) -> str:
    """The `text_ranked` CTE: the live chunks the question's terms select, best `ts_rank`
    first, `depth` of them."""
    matched = _live_chunks(
        shape,
        parameters,
        join=f"CROSS JOIN {any_word_query(parameters['text'], parameters['selecting'])} AS q",
        where="c.tsv @@ q.selecting",
    )
    return f"""text_ranked AS (
    SELECT id, row_number() OVER (ORDER BY score DESC, id COLLATE "C") AS rank
    FROM (
        SELECT c.id, ts_rank({SECTION_WEIGHTS}, c.tsv, q.ranking, 1) AS score
        {matched}
        ORDER BY score DESC, c.id COLLATE "C"
        LIMIT {int(shape.depth)}
    ) AS matched
)"""  # noqa: S608 - literals are validated model ids, numbers and fixed text


def _fused_hits(shape: SearchShape, scores: str) -> str:
    """The `fused` CTE summing each chunk's `scores` (rows of id and score), and the final
    SELECT of its best `k` with their chunks, pages and documents."""
    return f"""fused AS (
    SELECT id, sum(score) AS score
    FROM (
        {scores}
    ) AS scored
    GROUP BY id
    ORDER BY score DESC, id COLLATE "C"
    LIMIT {int(shape.k)}
)
SELECT c.id, c.document_id, c.page_sha256, c.ordinal, c.text, c.token_count, c.section,
       f.score, d.name, d.version, d.tags, p.page_no
FROM fused f
JOIN chunks c ON c.embedding_model = {literal(shape.model)} AND c.id = f.id
JOIN live_pages p ON p.document_id = c.document_id AND p.page_sha256 = c.page_sha256
JOIN live_documents d ON d.document_id = c.document_id
ORDER BY f.score DESC, f.id COLLATE "C"
"""  # noqa: S608 - literals are validated model ids, numbers and fixed text
