"""Contract of the Embedder: a base class with the behaviour, subclassed per adapter."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from askdocs.adapters.embeddings import HashingEmbedder
from askdocs.adapters.embeddings.openai_embedder import OpenAIEmbedder
from askdocs.application.errors import UpstreamUnavailable
from askdocs.application.ports.embeddings import Embedder
from tests.support.fake_llm import FakeLLM, fake_embedding
from tests.support.settings_wiring import from_settings


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

    # Each adapter's subclass runs this property on its own instances: by design, not a leak.
    @settings(
        max_examples=100, deadline=None, suppress_health_check=[HealthCheck.differing_executors]
    )
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
        assert from_settings(HashingEmbedder).dim == 384

    def test_fewer_than_eight_dimensions_are_refused(self) -> None:
        with pytest.raises(ValueError, match="at least 8"):
            HashingEmbedder(dim=7)

    async def test_case_does_not_change_the_vector(self) -> None:
        embedder = from_settings(HashingEmbedder)
        assert await embedder.embed_query("Hello World") == await embedder.embed_query(
            "hello world"
        )


@pytest.fixture(scope="module")
def embeddings_server() -> Iterator[FakeLLM]:
    with FakeLLM.running(embedding_dimensions=16) as running:
        yield running


class TestOpenAIEmbedder(EmbedderContract):
    """On the openai SDK against a local server whose vectors are hashes of the text."""

    @pytest.fixture(autouse=True)
    def server(self, embeddings_server: FakeLLM) -> FakeLLM:
        self.base_url = embeddings_server.openai_base_url
        return embeddings_server

    def make_embedder(self) -> Embedder:
        return from_settings(
            OpenAIEmbedder, model="embed-small", dim=16, base_url=self.base_url, batch_size=2
        )

    async def test_a_query_is_closer_to_a_document_sharing_its_words(
        self, embedder: Embedder
    ) -> None:
        # The server's vectors carry no meaning: they must come back exactly as it made them.
        assert await embedder.embed_query("refund") == pytest.approx(fake_embedding("refund", 16))

    async def test_long_batches_go_in_slices(self, embedder: Embedder, server: FakeLLM) -> None:
        server.reset()
        await embedder.embed_documents([f"text {n}" for n in range(5)])
        assert [len(r.body["input"]) for r in server.requests] == [2, 2, 1]
        assert {r.body["model"] for r in server.requests} == {"embed-small"}

    async def test_vectors_of_another_length_are_refused(self) -> None:
        wrong = from_settings(OpenAIEmbedder, model="embed-small", dim=32, base_url=self.base_url)
        with pytest.raises(UpstreamUnavailable, match="16 dimensions"):
            await wrong.embed_query("text")

    async def test_a_server_that_is_down_is_upstream_unavailable(self) -> None:
        dead = from_settings(
            OpenAIEmbedder, model="m", dim=16, base_url="http://127.0.0.1:9/v1", timeout_s=2
        )
        with pytest.raises(UpstreamUnavailable):
            await dead.embed_query("text")
