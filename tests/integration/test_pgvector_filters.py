"""PgVectorIndex over 10,000 chunks: filters return every match, ranked exactly; HNSW is used.

The chunks are built once for the module (embedding and loading them takes a few seconds) in a
schema of their own. Tests that change liveness restore it before they end.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import AsyncIterator

import numpy as np
import numpy.typing as npt
import pytest
import pytest_asyncio

from askdocs.adapters.embeddings import HashingEmbedder
from askdocs.adapters.index.pg_sql import index_name
from askdocs.adapters.index.pgvector import PgVectorIndex
from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.application.ports.index import IndexedChunk, Liveness, LivePage, SearchQuery
from askdocs.domain.chunking import Chunk, chunk_id
from tests.contract.builders import sha
from tests.support.postgres import migrated_schema
from tests.support.settings_wiring import from_settings

pytestmark = pytest.mark.asyncio(loop_scope="module")

DOCUMENTS, PAGES, CHUNKS_PER_PAGE = 500, 2, 10  # 10,000 chunks
RARE = "rare"  # on every 100th document: 1 % of the chunks
WITHDRAWN = {f"doc-{n}" for n in range(25, DOCUMENTS, 50)}  # soft-deleted after publishing
REPLACED = {f"doc-{n}" for n in range(10, DOCUMENTS, 50)}  # version 2 dropped page 0
EMBEDDER = HashingEmbedder(dim=384)
MODEL = EMBEDDER.model_id


@dataclasses.dataclass
class Corpus:
    database: PostgresDatabase
    index: PgVectorIndex
    chunks: list[Chunk]
    vectors: npt.NDArray[np.float32]  # unit rows, aligned with `chunks`
    tags: dict[str, tuple[str, ...]]  # document id -> its tags
    pages: dict[str, list[str]]  # document id -> its pages' digests, in order

    def live(self, chunk: Chunk) -> bool:
        if chunk.document_id in WITHDRAWN:
            return False
        return not (
            chunk.document_id in REPLACED and chunk.page_sha256 == self.pages[chunk.document_id][0]
        )

    def exact(self, query: list[float], k: int, tag: str | None = None) -> list[tuple[str, float]]:
        """Brute force: the k live chunks nearest to `query` by cosine distance, with it."""
        rows = [
            n
            for n, c in enumerate(self.chunks)
            if self.live(c) and (tag is None or tag in self.tags[c.document_id])
        ]
        distances = 1.0 - self.vectors[rows] @ np.asarray(query, dtype=np.float32)
        order = np.argsort(distances, kind="stable")[:k]
        return [(self.chunks[rows[i]].id, float(distances[i])) for i in order]

    def distance(self, chunk_ids: list[str], query: list[float]) -> list[float]:
        position = {c.id: n for n, c in enumerate(self.chunks)}
        rows = [position[i] for i in chunk_ids]
        return [float(d) for d in 1.0 - self.vectors[rows] @ np.asarray(query, dtype=np.float32)]


def corpus_texts(seed: int = 20261124) -> list[str]:
    """Varied made-up prose: each document favours its own dozen words, over a Zipf-like rest."""
    rng = random.Random(seed)
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    vocabulary = sorted({"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(4000)})
    weights = [1 / (rank + 10) for rank in range(len(vocabulary))]
    texts = []
    for _ in range(DOCUMENTS):
        topic = rng.sample(vocabulary, 12)
        for _ in range(PAGES * CHUNKS_PER_PAGE):
            words = rng.choices(vocabulary, weights, k=rng.randint(15, 40))
            texts.append(" ".join(rng.choice(topic) if rng.random() < 0.3 else w for w in words))
    return texts


def liveness(
    document_id: str, pages: list[str], tags: tuple[str, ...], version: int = 1
) -> Liveness:
    live = tuple(LivePage(page_sha256=p, page_no=n) for n, p in enumerate(pages, 1))
    return Liveness(document_id, f"{document_id}.txt", version, tags, live)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def corpus() -> AsyncIterator[Corpus]:
    async for database in migrated_schema():
        index = from_settings(PgVectorIndex, database=database)
        texts = corpus_texts()
        vectors = np.asarray(await EMBEDDER.embed_documents(texts), dtype=np.float32)
        chunks, tags, pages = [], {}, {}
        for d in range(DOCUMENTS):
            document_id = f"doc-{d}"
            tags[document_id] = (RARE,) if d % 100 == 0 else ("common",)
            pages[document_id] = [sha(f"{document_id} page {p}") for p in range(PAGES)]
            for page in pages[document_id]:
                for ordinal in range(CHUNKS_PER_PAGE):
                    text = texts[len(chunks)]
                    chunk_key = chunk_id(document_id, page, ordinal)
                    chunks.append(
                        Chunk(chunk_key, document_id, page, ordinal, text, len(text.split()))
                    )
        await index.add(
            [IndexedChunk(c, v.tolist(), MODEL) for c, v in zip(chunks, vectors, strict=True)]
        )
        for document_id, digests in pages.items():
            await index.publish(liveness(document_id, digests, tags[document_id]))
            if document_id in REPLACED:
                await index.publish(liveness(document_id, digests[1:], tags[document_id], 2))
            if document_id in WITHDRAWN:
                await index.withdraw(document_id)
        async with database.connection() as connection:
            await connection.execute("VACUUM ANALYZE")  # the steady state autovacuum keeps
        yield Corpus(database, index, chunks, vectors, tags, pages)


def vector_query(embedding: list[float], k: int, **filters: tuple[str, ...]) -> SearchQuery:
    # No words: the text ranking is left out, so hits come in vector order.
    return SearchQuery(text="", embedding=embedding, embedding_model=MODEL, k=k, **filters)


async def test_a_one_percent_tag_returns_k_rows_ranked_as_an_exact_search(corpus: Corpus) -> None:
    query = corpus.vectors[1234].tolist()  # a common chunk: its nearest neighbours are untagged
    before = corpus.index.searches_by_path["exact"]
    hits = await corpus.index.search(vector_query(query, 10, tags=(RARE,)))
    assert len(hits) == 10
    assert all(RARE in h.liveness.tags for h in hits)
    assert corpus.distance([h.chunk.id for h in hits], query) == pytest.approx(
        [d for _, d in corpus.exact(query, 10, RARE)], abs=1e-6
    )
    assert corpus.index.searches_by_path["exact"] == before + 1


async def test_a_k_beyond_the_matches_returns_every_match_in_exact_order(corpus: Corpus) -> None:
    query = corpus.vectors[4321].tolist()
    hits = await corpus.index.search(vector_query(query, 150, tags=(RARE,)))
    exact = corpus.exact(query, 150, RARE)
    assert len(exact) == 100
    assert {h.chunk.id for h in hits} == {i for i, _ in exact}
    assert corpus.distance([h.chunk.id for h in hits], query) == pytest.approx(
        [d for _, d in exact], abs=1e-6
    )


async def test_a_selective_filter_scans_exactly_and_leaves_the_graph_alone(corpus: Corpus) -> None:
    query = vector_query(corpus.vectors[77].tolist(), 10, tags=(RARE,))
    plan = await corpus.index.explain(query)
    assert index_name(MODEL) not in plan


async def test_an_unfiltered_search_walks_the_hnsw_index(corpus: Corpus) -> None:
    plan = await corpus.index.explain(vector_query(corpus.vectors[77].tolist(), 10))
    assert f"Index Scan using {index_name(MODEL)}" in plan


async def test_unfiltered_top_10_overlaps_the_exact_top_10(corpus: Corpus) -> None:
    before = corpus.index.searches_by_path["hnsw"]
    questions = [" ".join(corpus.chunks[n].text.split()[:6]) for n in range(13, 10_000, 997)]
    overlaps = []
    for question in questions:
        embedding = await EMBEDDER.embed_query(question)
        hits = await corpus.index.search(vector_query(embedding, 10))
        exact = {i for i, _ in corpus.exact(embedding, 10)}
        overlaps.append(len(exact & {h.chunk.id for h in hits}) / 10)
    assert sum(overlaps) / len(overlaps) >= 0.9, overlaps
    assert corpus.index.searches_by_path["hnsw"] == before + len(questions)


async def test_iterative_scans_fill_k_when_the_exact_path_is_off(corpus: Corpus) -> None:
    graph_only = from_settings(PgVectorIndex, database=corpus.database, exact_search_below=0)
    query = corpus.vectors[1234].tolist()
    hits = await graph_only.search(vector_query(query, 10, tags=(RARE,)))
    assert len(hits) == 10
    assert all(RARE in h.liveness.tags for h in hits)
    exact = {i for i, _ in corpus.exact(query, 10, RARE)}
    assert len(exact & {h.chunk.id for h in hits}) >= 9


@pytest.mark.parametrize("filters", [{}, {"tags": ("common",)}])
async def test_withdrawn_documents_and_replaced_pages_never_come_back(
    corpus: Corpus, filters: dict[str, tuple[str, ...]]
) -> None:
    hidden = [c for c in corpus.chunks if not corpus.live(c)]
    assert len(hidden) == 10 * PAGES * CHUNKS_PER_PAGE + 10 * CHUNKS_PER_PAGE
    hidden_ids = {c.id for c in hidden}
    position = {c.id: n for n, c in enumerate(corpus.chunks)}
    for chunk in hidden[::37]:  # aim straight at hidden chunks, by vector and by text
        query = SearchQuery(
            text=chunk.text,
            embedding=corpus.vectors[position[chunk.id]].tolist(),
            embedding_model=MODEL,
            k=20,
            **filters,
        )
        hits = await corpus.index.search(query)
        assert len(hits) == 20
        assert not hidden_ids & {h.chunk.id for h in hits}
        assert {h.liveness.version for h in hits if h.chunk.document_id in REPLACED} <= {2}


async def test_a_withdrawn_document_is_gone_even_when_asked_for_by_id(corpus: Corpus) -> None:
    query = vector_query(corpus.vectors[0].tolist(), 10, document_ids=tuple(sorted(WITHDRAWN)))
    assert await corpus.index.search(query) == []


async def test_a_republished_version_shows_only_its_own_pages(corpus: Corpus) -> None:
    document_id = "doc-7"
    first, second = corpus.pages[document_id]
    old = [c for c in corpus.chunks if c.page_sha256 == first]
    position = {c.id: n for n, c in enumerate(corpus.chunks)}
    aimed = vector_query(corpus.vectors[position[old[0].id]].tolist(), 5)
    assert (await corpus.index.search(aimed))[0].chunk == old[0]
    try:
        await corpus.index.publish(liveness(document_id, [second], ("common",), version=2))
        hits = await corpus.index.search(
            vector_query(list(aimed.embedding), 50, document_ids=(document_id,))
        )
        assert {h.chunk.page_sha256 for h in hits} == {second}
        assert {(h.liveness.version, h.page_no) for h in hits} == {(2, 1)}
        assert old[0] not in {h.chunk for h in await corpus.index.search(aimed)}
    finally:
        await corpus.index.publish(liveness(document_id, [first, second], ("common",)))
