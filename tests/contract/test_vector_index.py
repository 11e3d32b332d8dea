"""Contract: VectorIndex. Subclass VectorIndexContract once per adapter."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from askdocs.adapters.index.memory import InMemoryVectorIndex
from askdocs.application.errors import InvalidInput
from askdocs.application.ports.index import SearchQuery, VectorIndex
from askdocs.domain.chunking import Chunk
from tests.contract.builders import MODEL, direction, make_chunk, make_indexed, make_liveness


def query(
    text: str = "question",
    angle: float = 0.0,
    *,
    k: int = 5,
    tags: tuple[str, ...] = (),
    document_ids: tuple[str, ...] = (),
    model: str = MODEL,
) -> SearchQuery:
    return SearchQuery(
        text=text,
        embedding=direction(angle),
        embedding_model=model,
        k=k,
        tags=tags,
        document_ids=document_ids,
    )


async def add_page(
    index: VectorIndex, document_id: str, page: str, texts: list[str], angle: float = 0.0
) -> list[Chunk]:
    """Chunks of one page with the given texts, embedded at `angle` plus a little per chunk."""
    chunks = [make_chunk(document_id, page, n, text) for n, text in enumerate(texts)]
    await index.add([make_indexed(c, direction(angle + n / 100)) for n, c in enumerate(chunks)])
    return chunks


class VectorIndexContract:
    """Behaviour every VectorIndex must have; `index` must start empty."""

    @pytest.fixture
    def index(self) -> VectorIndex:
        raise NotImplementedError

    async def test_chunks_stay_hidden_until_published(self, index: VectorIndex) -> None:
        await add_page(index, "doc", "p1", ["hidden text"])
        assert await index.search(query("hidden text")) == []

    async def test_a_published_chunk_is_found_with_its_liveness_and_page(
        self, index: VectorIndex
    ) -> None:
        [chunk] = await add_page(index, "doc", "p1", ["the handbook"])
        liveness = make_liveness("doc", [("p1", 3)], tags=("guide",))
        await index.publish(liveness)
        [hit] = await index.search(query("handbook"))
        assert (hit.chunk, hit.liveness, hit.page_no) == (chunk, liveness, 3)

    async def test_withdraw_hides_and_republish_restores_without_adding_again(
        self, index: VectorIndex
    ) -> None:
        chunks = await add_page(index, "doc", "p1", ["one", "two"])
        liveness = make_liveness("doc", [("p1", 1)])
        await index.publish(liveness)
        await index.withdraw("doc")
        assert await index.search(query()) == []
        await index.publish(liveness)
        assert {h.chunk for h in await index.search(query())} == set(chunks)

    async def test_publishing_a_new_version_replaces_the_live_pages(
        self, index: VectorIndex
    ) -> None:
        await add_page(index, "doc", "kept", ["kept page"])
        await add_page(index, "doc", "old", ["old page"])
        await add_page(index, "doc", "new", ["new page"])
        await index.publish(make_liveness("doc", [("kept", 1), ("old", 2)], version=1))
        await index.publish(make_liveness("doc", [("kept", 1), ("new", 2)], version=2))
        hits = await index.search(query(k=10))
        assert sorted(h.chunk.text for h in hits) == ["kept page", "new page"]
        assert {h.liveness.version for h in hits} == {2}

    async def test_a_selective_tag_filter_returns_every_match_up_to_k(
        self, index: VectorIndex
    ) -> None:
        # The untagged chunks are the nearest to the query, as an approximate index would see.
        await add_page(index, "big", "p", [f"common {n}" for n in range(198)], angle=0.0)
        await add_page(index, "small", "p", ["tagged a", "tagged b"], angle=1.4)
        await index.publish(make_liveness("big", [("p", 1)], tags=("other",)))
        await index.publish(make_liveness("small", [("p", 1)], tags=("hr", "policy")))
        hits = await index.search(query(k=5, tags=("hr",)))
        assert sorted(h.chunk.text for h in hits) == ["tagged a", "tagged b"]
        assert await index.search(query(k=5, tags=("hr", "missing"))) == []
        assert len(await index.search(query(k=5, tags=("hr", "policy")))) == 2

    async def test_results_are_limited_to_k_even_beyond_fifty(self, index: VectorIndex) -> None:
        await add_page(index, "doc", "p", [f"chunk {n}" for n in range(80)])
        await index.publish(make_liveness("doc", [("p", 1)]))
        assert len(await index.search(query(k=3))) == 3
        assert len(await index.search(query(k=70))) == 70

    async def test_a_document_filter_keeps_only_those_documents(self, index: VectorIndex) -> None:
        for document_id in ("a", "b", "c"):
            await add_page(index, document_id, "p", [f"text of {document_id}"])
            await index.publish(make_liveness(document_id, [("p", 1)]))
        hits = await index.search(query(k=10, document_ids=("a", "c")))
        assert sorted(h.chunk.document_id for h in hits) == ["a", "c"]

    async def test_adding_the_same_chunk_twice_keeps_the_first(self, index: VectorIndex) -> None:
        first, second = await add_page(index, "doc", "p", ["first", "second"], angle=0.0)
        await index.add([make_indexed(first, direction(1.5)), make_indexed(first, direction(1.5))])
        await index.publish(make_liveness("doc", [("p", 1)]))
        hits = await index.search(query("?", angle=0.0, k=10))
        assert [h.chunk for h in hits] == [first, second]

    async def test_an_exact_word_match_ranks_first(self, index: VectorIndex) -> None:
        texts = ["alpha beta", "gamma delta", "epsilon zeta", "the zanzibar archipelago"]
        await index.add(
            [
                make_indexed(make_chunk("doc", "p", n, text), direction(n * 0.4))
                for n, text in enumerate(texts)
            ]
        )
        await index.publish(make_liveness("doc", [("p", 1)]))
        hits = await index.search(query("zanzibar", angle=0.0, k=4))
        assert hits[0].chunk.text == "the zanzibar archipelago"

    async def test_another_embedding_model_is_never_returned(self, index: VectorIndex) -> None:
        other = make_chunk("doc", "p", 0, "orchid orchid orchid")
        mine = make_chunk("doc", "p", 1, "unrelated words")
        await index.add([make_indexed(other, model="other-model"), make_indexed(mine)])
        await index.publish(make_liveness("doc", [("p", 1)]))
        assert [h.chunk for h in await index.search(query("orchid", k=10))] == [mine]
        assert await index.search(query("orchid", model="unknown-model")) == []

    async def test_a_page_repeated_in_a_version_is_returned_once_at_its_first_position(
        self, index: VectorIndex
    ) -> None:
        await add_page(index, "doc", "boilerplate", ["legal notice"])
        await index.publish(make_liveness("doc", [("boilerplate", 2), ("boilerplate", 5)]))
        hits = await index.search(query("legal notice", k=10))
        assert [h.page_no for h in hits] == [2]

    async def test_hits_are_best_first(self, index: VectorIndex) -> None:
        await add_page(index, "doc", "p", [f"text {n}" for n in range(12)])
        await index.publish(make_liveness("doc", [("p", None)]))
        hits = await index.search(query("text 3", k=12))
        scores = [h.score for h in hits]
        assert scores == sorted(scores, reverse=True)
        assert {h.page_no for h in hits} == {None}

    async def test_a_query_without_words_ranks_by_vector_alone(self, index: VectorIndex) -> None:
        texts = ["far", "near", "middle"]
        angles = [1.5, 0.0, 0.7]
        await index.add(
            [
                make_indexed(make_chunk("doc", "p", n, t), direction(a))
                for n, (t, a) in enumerate(zip(texts, angles, strict=True))
            ]
        )
        await index.publish(make_liveness("doc", [("p", 1)]))
        hits = await index.search(query("?!", angle=0.0, k=3))
        assert [h.chunk.text for h in hits] == ["near", "middle", "far"]

    @settings(
        max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        tagged=st.integers(min_value=0, max_value=12),
        untagged=st.integers(min_value=0, max_value=30),
        k=st.integers(min_value=1, max_value=15),
    )
    async def test_filtered_search_returns_min_of_k_and_matches(
        self, index: VectorIndex, tagged: int, untagged: int, k: int
    ) -> None:
        # The index is shared by the examples, so each example uses its own documents and tag.
        run = uuid.uuid4().hex
        await add_page(index, f"t-{run}", "p", [f"tagged {n}" for n in range(tagged)], 1.0)
        await add_page(index, f"u-{run}", "p", [f"untagged {n}" for n in range(untagged)])
        await index.publish(make_liveness(f"t-{run}", [("p", 1)], tags=(run, "shared")))
        await index.publish(make_liveness(f"u-{run}", [("p", 1)], tags=("shared",)))
        hits = await index.search(query("tagged", k=k, tags=(run,)))
        assert len(hits) == min(k, tagged)
        assert {h.chunk.document_id for h in hits} <= {f"t-{run}"}


class TestInMemoryVectorIndex(VectorIndexContract):
    @pytest.fixture
    def index(self) -> VectorIndex:
        return InMemoryVectorIndex()

    async def test_the_score_is_the_weighted_reciprocal_rank_fusion(self) -> None:
        index = InMemoryVectorIndex(rrf_k=10, vector_weight=2.0, text_weight=0.5)
        texts = ["apple pie", "banana bread"]
        await index.add(
            [
                make_indexed(make_chunk("doc", "p", n, t), direction(n * 0.5))
                for n, t in enumerate(texts)
            ]
        )
        await index.publish(make_liveness("doc", [("p", 1)]))
        hits = await index.search(query("banana", angle=0.0))
        assert [h.chunk.text for h in hits] == ["banana bread", "apple pie"]
        assert [h.score for h in hits] == pytest.approx([2.0 / 12 + 0.5 / 11, 2.0 / 11])

    async def test_an_embedding_of_the_wrong_length_is_refused(self) -> None:
        index = InMemoryVectorIndex()
        await index.add([make_indexed(make_chunk("doc", "p"), [1.0, 0.0, 0.0, 0.0])])
        with pytest.raises(InvalidInput):
            await index.add([make_indexed(make_chunk("doc", "p", 1), [1.0, 0.0])])
        with pytest.raises(InvalidInput):
            await index.search(SearchQuery(text="x", embedding=[1.0], embedding_model=MODEL, k=1))
