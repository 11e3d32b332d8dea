"""SQL of PgVectorIndex's writes, and what both writes and searches say about a model.

Each embedding model has a partial HNSW expression index. A query can only use it when it
repeats the index's predicate and expression exactly, which a bind parameter cannot do, so the
model id appears in SQL text as a literal: ids are validated against a strict pattern before
they reach any statement, and quoted besides.
"""

from __future__ import annotations

import hashlib
import re
from typing import Literal

HnswType = Literal["vector", "halfvec", "bit"]

# pgvector indexes `vector` up to 2,000 dimensions and `halfvec` up to 4,000.
VECTOR_INDEX_MAX_DIM = 2000
HALFVEC_INDEX_MAX_DIM = 4000
MAX_DIM = 16000  # pgvector's limit for a stored vector

_MODEL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+=-]{0,199}")
# One advisory lock for registering any model (its first dimension and its index): two new
# models indexed at once could otherwise deadlock on the table lock CREATE INDEX takes.
REGISTRATION_LOCK_KEY = int.from_bytes(hashlib.sha256(b"askdocs:index").digest()[:8], "big") >> 1

IMPORT_TABLE = "askdocs_chunk_import"
IMPORT_COLUMNS = (
    "seq",
    "embedding_model",
    "id",
    "document_id",
    "page_sha256",
    "ordinal",
    "text",
    "token_count",
    "embedding",
    "section",
    "lexemes",
)
CREATE_IMPORT_TABLE = """
CREATE TEMPORARY TABLE IF NOT EXISTS askdocs_chunk_import (
    seq integer, embedding_model text, id text, document_id text, page_sha256 text,
    ordinal integer, text text, token_count integer, embedding vector, section text,
    lexemes text
) ON COMMIT DELETE ROWS
"""
# DISTINCT ON keeps the first copy of a chunk repeated within one batch.
INSERT_FROM_IMPORT = """
INSERT INTO chunks (
    embedding_model, id, document_id, page_sha256, ordinal, text, token_count, embedding,
    section, tsv
)
SELECT DISTINCT ON (embedding_model, id)
    embedding_model, id, document_id, page_sha256, ordinal, text, token_count, embedding,
    section, lexemes::tsvector
FROM askdocs_chunk_import
ORDER BY embedding_model, id, seq
ON CONFLICT (embedding_model, id) DO NOTHING
"""
MODEL_DIM = "SELECT vector_dims(embedding) FROM chunks WHERE embedding_model = $1 LIMIT 1"
LOCK_REGISTRATION = "SELECT pg_advisory_xact_lock($1)"

UPSERT_LIVE_DOCUMENT = """
INSERT INTO live_documents (document_id, name, version, tags) VALUES ($1, $2, $3, $4)
ON CONFLICT (document_id) DO UPDATE
SET name = EXCLUDED.name, version = EXCLUDED.version, tags = EXCLUDED.tags
"""
DELETE_LIVE_PAGES = "DELETE FROM live_pages WHERE document_id = $1"
# A page repeated within a version is live once, at its first position.
INSERT_LIVE_PAGES = """
INSERT INTO live_pages (document_id, page_sha256, page_no)
SELECT DISTINCT ON (page.sha) $1, page.sha, page.no
FROM unnest($2::text[], $3::integer[]) WITH ORDINALITY AS page (sha, no, position)
ORDER BY page.sha, page.position
"""
DELETE_LIVE_DOCUMENT = "DELETE FROM live_documents WHERE document_id = $1"


def is_model_id(model: str) -> bool:
    """Whether `model` may be stored: letters, digits and `._:/@+=-`, at most 200 characters."""
    return _MODEL_ID.fullmatch(model) is not None


def literal(text: str) -> str:
    """`text` as an SQL string literal."""
    # Callers pass validated ids (no quote, no backslash); doubling quotes is a second guard.
    return "'" + text.replace("'", "''") + "'"


def index_name(model: str) -> str:
    """The model's HNSW index: a digest, so any valid model id yields a safe, short name."""
    return "chunks_hnsw_" + hashlib.sha256(model.encode("utf-8")).hexdigest()[:16]


def indexable(dim: int) -> bool:
    """Whether pgvector can build an HNSW index over vectors of this length."""
    return dim <= HALFVEC_INDEX_MAX_DIM


def stored_type(hnsw_type: HnswType, dim: int) -> HnswType:
    """What the model's graph holds: `vector` is indexable only up to 2,000 dimensions, so
    longer vectors are indexed as `halfvec`."""
    return "halfvec" if hnsw_type == "vector" and dim > VECTOR_INDEX_MAX_DIM else hnsw_type


def indexed_expression(dim: int, hnsw_type: HnswType, alias: str = "") -> str:
    """The indexed expression: the untyped column cast to the model's fixed-length type (and
    reduced to one bit per dimension for `bit`)."""
    kind = stored_type(hnsw_type, dim)
    if kind == "bit":
        return f"(binary_quantize({alias}embedding::vector({dim}))::bit({dim}))"
    return f"({alias}embedding::{kind}({dim}))"


def query_expression(dim: int, hnsw_type: HnswType, parameter: str) -> str:
    """A query vector parameter typed to compare with `indexed_expression`."""
    typed = f"{parameter}::vector({dim})"
    kind = stored_type(hnsw_type, dim)
    if kind == "bit":
        return f"binary_quantize({typed})::bit({dim})"
    return typed if kind == "vector" else f"{typed}::{kind}({dim})"


def walk_order(dim: int, hnsw_type: HnswType, alias: str, parameter: str) -> str:
    """What an HNSW walk orders by: the indexed expression's distance to the query, cosine for
    the float types, Hamming for bits."""
    operator = "<~>" if stored_type(hnsw_type, dim) == "bit" else "<=>"
    indexed = indexed_expression(dim, hnsw_type, alias)
    return f"{indexed} {operator} {query_expression(dim, hnsw_type, parameter)}"


def exact_distance(dim: int, alias: str, parameter: str) -> str:
    """Cosine distance on the full vectors: the bare column matches no index expression."""
    return f"{alias}embedding <=> {parameter}::vector({dim})"


def create_index(model: str, dim: int, hnsw_type: HnswType, *, m: int, ef_construction: int) -> str:
    """DDL of the model's partial HNSW expression index."""
    ops = {"vector": "vector_cosine_ops", "halfvec": "halfvec_cosine_ops", "bit": "bit_hamming_ops"}
    return (
        f"CREATE INDEX IF NOT EXISTS {index_name(model)} ON chunks "
        f"USING hnsw ({indexed_expression(dim, hnsw_type)} {ops[stored_type(hnsw_type, dim)]}) "
        f"WITH (m = {int(m)}, ef_construction = {int(ef_construction)}) "
        f"WHERE embedding_model = {literal(model)}"
    )


def drop_index(model: str) -> str:
    """DDL removing the model's HNSW index, if it has one (long vectors have none)."""
    return f"DROP INDEX IF EXISTS {index_name(model)}"
