"""What the peer's server and its ingestion share: the embedding, the store and the splitter.

The embedding is askdocs' own hashing embedder, loaded from its file, so both services spend the
same CPU on a vector. The store is LlamaIndex's PGVectorStore with the HNSW parameters askdocs
gives its own index (m 16, ef_construction 64, ef_search 100, cosine).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.node_parser import SentenceSplitter
from llama_index.vector_stores.postgres import PGVectorStore
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[3]
HASHING_EMBEDDER = ROOT / "adapters" / "embeddings" / "hashing.py"
DIMENSIONS = 384
CHUNK_TOKENS = 256  # askdocs' chunking defaults: 256 tokens of cl100k_base, 32 overlapping
CHUNK_OVERLAP = 32
TABLE = "manual"
HNSW = {"hnsw_m": 16, "hnsw_ef_construction": 64, "hnsw_ef_search": 100}


def _hashing_module() -> ModuleType:
    """askdocs' adapters/embeddings/hashing.py, loaded by path: it needs only numpy."""
    spec = importlib.util.spec_from_file_location("askdocs_hashing", HASHING_EMBEDDER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class HashingEmbedding(BaseEmbedding):
    """LlamaIndex's face on askdocs' HashingEmbedder (feature-hashed words and word pairs)."""

    _embedder: Any

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(model_name=f"hashing-v1-{DIMENSIONS}", **kwargs)
        self._embedder = _hashing_module().HashingEmbedder(DIMENSIONS)

    def _vector(self, text: str) -> list[float]:
        # The embedder's coroutine never awaits: run it to completion without an event loop.
        coroutine = self._embedder.embed_query(text)
        try:
            coroutine.send(None)
        except StopIteration as finished:
            return list(finished.value)
        raise RuntimeError("the hashing embedder awaited something")

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._vector(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._vector(text)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._vector(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._vector(text)


def splitter() -> SentenceSplitter:
    return SentenceSplitter(chunk_size=CHUNK_TOKENS, chunk_overlap=CHUNK_OVERLAP)


def store() -> PGVectorStore:
    """The store in PEER_DATABASE_URL's database, table `manual` of schema PEER_SCHEMA."""
    url = make_url(os.environ["PEER_DATABASE_URL"])
    return PGVectorStore.from_params(
        connection_string=url.set(drivername="postgresql+psycopg2"),
        async_connection_string=url.set(drivername="postgresql+asyncpg"),
        schema_name=os.environ["PEER_SCHEMA"],
        table_name=TABLE,
        embed_dim=DIMENSIONS,
        hnsw_kwargs={**HNSW, "hnsw_dist_method": "vector_cosine_ops"},
    )
