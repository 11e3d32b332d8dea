"""EmbeddingReranker: cosine scores in passage order; with the real model, meaning first."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from askdocs.adapters.embeddings import HashingEmbedder
from askdocs.adapters.embeddings.onnx_embedder import OnnxEmbedder
from askdocs.adapters.reranking import EmbeddingReranker
from askdocs.application.ports.ranking import Reranker
from tests.contract.test_embedder import cosine
from tests.support.settings_wiring import from_settings

QUESTION = "How do I make a virtual environment?"
RELEVANT = (
    "The venv module supports creating lightweight virtual environments, each with its own "
    "independent set of Python packages installed in its site directories."
)
DISTRACTORS = [
    "The csv module implements classes to read and write tabular data in CSV format.",
    "pip is the preferred installer program; it installs packages from the Python Package Index.",
    "A virtual method table is how C++ resolves overridden methods at run time.",
    "asyncio is a library to write concurrent code using the async/await syntax.",
    "The environment variable PYTHONPATH augments the default search path for module files.",
]


def reranker(embedder: HashingEmbedder | OnnxEmbedder) -> Reranker:
    return from_settings(EmbeddingReranker, embedder=embedder)


class RecordingEmbedder(HashingEmbedder):
    """The hashing embedder, keeping every text it embedded as a document."""

    def __init__(self) -> None:
        super().__init__(dim=64)
        self.documents: list[str] = []

    async def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        self.documents.extend(texts)
        return await super().embed_documents(texts)


async def test_scores_are_the_cosines_of_each_passage_in_order() -> None:
    embedder = from_settings(HashingEmbedder)
    passages = ["apples and pears", "trains run late", "apples"]
    scores = await reranker(embedder).score("apples", passages)
    query = await embedder.embed_query("apples")
    expected = [cosine(query, v) for v in await embedder.embed_documents(passages)]
    assert scores == pytest.approx(expected, abs=1e-9)
    assert scores[2] > scores[0] > scores[1]


async def test_no_passages_get_no_scores() -> None:
    assert await reranker(from_settings(HashingEmbedder)).score("anything", []) == []


async def test_a_passage_is_embedded_once_however_often_it_comes_back() -> None:
    embedder = RecordingEmbedder()
    cached = from_settings(EmbeddingReranker, embedder=embedder)
    await cached.score("apples", ["apples and pears", "trains"])
    scores = await cached.score("pears", ["trains", "apples and pears", "pears", "pears"])
    assert embedder.documents == ["apples and pears", "trains", "pears"]
    uncached = EmbeddingReranker(HashingEmbedder(dim=64), cached_passages=0)
    fresh = await uncached.score("pears", ["trains", "apples and pears", "pears", "pears"])
    assert scores == pytest.approx(fresh, abs=1e-9)


async def test_the_cache_keeps_the_latest_passages_only() -> None:
    embedder = RecordingEmbedder()
    cached = EmbeddingReranker(embedder, cached_passages=2)
    await cached.score("q", ["a", "b", "c"])
    await cached.score("q", ["c", "a"])
    assert embedder.documents == ["a", "b", "c", "a"]


async def test_without_a_cache_every_passage_is_embedded_every_time() -> None:
    embedder = RecordingEmbedder()
    uncached = EmbeddingReranker(embedder, cached_passages=0)
    await uncached.score("q", ["a", "b"])
    await uncached.score("q", ["a", "b"])
    assert embedder.documents == ["a", "b", "a", "b"]


def test_the_name_says_cosine_of_which_model() -> None:
    assert reranker(HashingEmbedder(dim=64)).name == "cosine:hashing-v1-64"


async def test_the_relevant_passage_comes_first_among_distractors(
    local_embedder: OnnxEmbedder,
) -> None:
    for position in range(len(DISTRACTORS) + 1):
        passages = [*DISTRACTORS[:position], RELEVANT, *DISTRACTORS[position:]]
        scores = await reranker(local_embedder).score(QUESTION, passages)
        assert len(scores) == len(passages)
        assert max(range(len(scores)), key=scores.__getitem__) == position


async def test_the_hashing_embedder_falls_for_the_shared_word() -> None:
    """What the real model is for: lexically, 'virtual method table' wins."""
    scores = await reranker(from_settings(HashingEmbedder)).score(
        QUESTION, [RELEVANT, *DISTRACTORS]
    )
    assert max(scores) > scores[0]
