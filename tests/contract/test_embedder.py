"""Contract of the Embedder: a base class with the behaviour, subclassed per adapter."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from askdocs.adapters.embeddings import HashingEmbedder
from askdocs.application.ports.embeddings import Embedder


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


class EmbedderContract:
    """Behaviour every Embedder has; a subclass per adapter supplies `make_embedder`."""

    def make_embedder(self) -> Embedder:
        raise NotImplementedError

    @pytest.fixture
    def embedder(self) -> Embedder:
        return self.make_embedder()

    async def test_vectors_have_dim_floats(self, embedder: Embedder) -> None:
        vector = await embedder.embed_query("how long is a vector")
        assert len(vector) == embedder.dim
        assert all(isinstance(x, float) for x in vector)

    @settings(max_examples=100, deadline=None)
    @given(text=st.text())
    async def test_every_vector_is_unit_length(self, text: str) -> None:
        vector = await self.make_embedder().embed_query(text)
        assert math.isclose(math.sqrt(cosine(vector, vector)), 1.0, abs_tol=1e-5)

    async def test_the_same_text_gives_the_same_vector_across_instances(self) -> None:
        text = "Vectors must not depend on the process that made them."
        first = await self.make_embedder().embed_query(text)
        second = await self.make_embedder().embed_query(text)
        assert first == second
        assert self.make_embedder().model_id == self.make_embedder().model_id

    async def test_a_query_is_closer_to_a_document_sharing_its_words(
        self, embedder: Embedder
    ) -> None:
        query = await embedder.embed_query("refund policy for damaged parcels")
        near, far = await embedder.embed_documents(
            [
                "Our refund policy covers parcels damaged in transit.",
                "The office is closed on public holidays.",
            ]
        )
        assert cosine(query, near) > cosine(query, far)

    async def test_documents_are_embedded_in_order(self, embedder: Embedder) -> None:
        texts = ["apples and pears", "", "trains run late", "apples and pears"]
        batch = await embedder.embed_documents(texts)
        singles = [await embedder.embed_query(text) for text in texts]
        assert len(batch) == len(texts)
        for got, expected in zip(batch, singles, strict=True):
            assert cosine(got, expected) == pytest.approx(1.0, abs=1e-5)

    async def test_no_texts_give_no_vectors(self, embedder: Embedder) -> None:
        assert await embedder.embed_documents([]) == []


class TestHashingEmbedder(EmbedderContract):
    def make_embedder(self) -> Embedder:
        return HashingEmbedder(dim=64)

    def test_the_model_id_names_the_version_and_dimension(self) -> None:
        assert HashingEmbedder(dim=128).model_id == "hashing-v1-128"
        assert HashingEmbedder().dim == 384

    def test_fewer_than_eight_dimensions_are_refused(self) -> None:
        with pytest.raises(ValueError, match="at least 8"):
            HashingEmbedder(dim=7)

    async def test_case_does_not_change_the_vector(self) -> None:
        embedder = HashingEmbedder()
        assert await embedder.embed_query("Hello World") == await embedder.embed_query(
            "hello world"
        )
