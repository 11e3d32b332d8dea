"""The sampled recall gauge of the pgvector index, on a real PostgreSQL."""

from __future__ import annotations

from typing import Any

from askdocs.adapters.embeddings import HashingEmbedder
from askdocs.adapters.index.pgvector import PgVectorIndex
from askdocs.adapters.metrics.prometheus import PrometheusMetrics
from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.application.ports import SearchQuery
from tests.contract.builders import make_chunk, make_indexed, make_liveness
from tests.support.settings_wiring import from_settings

WORDS = [
    *("river", "stone", "lamp", "harbour", "orchard", "signal"),
    *("ledger", "cedar", "meadow", "copper", "tide", "lantern"),
]


def page_text(n: int) -> str:
    return " ".join(WORDS[(n * k) % len(WORDS)] for k in range(1, 9)) + f" entry {n}"


async def loaded_index(postgres: PostgresDatabase, *, rate: float) -> tuple[PgVectorIndex, Any]:
    embedder = HashingEmbedder(dim=64)
    metrics = PrometheusMetrics()
    index = from_settings(
        PgVectorIndex, database=postgres, metrics=metrics, recall_sample_rate=rate
    )
    texts = [page_text(n) for n in range(300)]
    vectors = await embedder.embed_documents(texts)
    chunks = [make_chunk("doc", text) for text in texts]
    await index.add(
        [make_indexed(c, v, model=embedder.model_id) for c, v in zip(chunks, vectors, strict=True)]
    )
    await index.publish(make_liveness("doc", [(t, n) for n, t in enumerate(texts, 1)], tags=["a"]))
    return index, (embedder, metrics)


def gauge(metrics: PrometheusMetrics, k: int) -> float | None:
    return metrics.registry.get_sample_value("askdocs_vector_search_recall", {"k": str(k)})


async def test_a_sampled_search_publishes_its_recall_against_an_exact_scan(
    postgres: PostgresDatabase,
) -> None:
    index, (embedder, metrics) = await loaded_index(postgres, rate=1.0)
    query = SearchQuery(
        text="",
        embedding=await embedder.embed_query("lamp harbour"),
        embedding_model=embedder.model_id,
        k=10,
    )

    hits = await index.search(query)
    assert index.recall is not None
    await index.recall.drain()

    assert len(hits) == 10
    recorded = gauge(metrics, k=10)
    assert recorded is not None
    assert 0.9 <= recorded <= 1.0  # 300 rows, ef_search 100: HNSW finds (almost) all


async def test_filtered_searches_and_a_zero_rate_are_not_sampled(
    postgres: PostgresDatabase,
) -> None:
    index, (embedder, metrics) = await loaded_index(postgres, rate=1.0)
    vector = await embedder.embed_query("cedar meadow")
    filtered = SearchQuery(
        text="", embedding=vector, embedding_model=embedder.model_id, k=5, tags=("a",)
    )

    await index.search(filtered)
    assert index.recall is not None
    await index.recall.drain()

    assert gauge(metrics, k=5) is None
    assert (
        from_settings(
            PgVectorIndex, database=postgres, metrics=metrics, recall_sample_rate=0.0
        ).recall
        is None
    )


def test_without_metrics_nothing_is_sampled() -> None:
    index = from_settings(
        PgVectorIndex,
        database=from_settings(PostgresDatabase, url="postgresql://unused"),
        recall_sample_rate=0.5,
    )
    assert index.recall is None
