"""Contract: VectorIndex. Subclass VectorIndexContract once per adapter."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_ON

from askdocs.adapters.index.memory import InMemoryVectorIndex
from askdocs.adapters.index.pg_search_sql import search_session_settings
from askdocs.adapters.index.pg_sql import index_name
from askdocs.adapters.index.pgvector import PgVectorIndex
from askdocs.adapters.metrics.prometheus import PrometheusMetrics
from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.adapters.tracing.opentelemetry import OpenTelemetryTracer
from askdocs.application.errors import InvalidInput
from askdocs.application.ports.index import Coverage, SearchQuery, TermCounts, VectorIndex
from askdocs.domain.chunking import Chunk
from askdocs.domain.lexicon import terms
from askdocs.entrypoints.settings import Settings
from tests.contract.builders import MODEL, direction, make_chunk, make_indexed, make_liveness
from tests.contract.test_metrics import PrometheusReadings
from tests.support.postgres import migrated_schema
from tests.support.settings_wiring import from_settings


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


def text_query(
    text: str,
    *,
    k: int = 5,
    tags: tuple[str, ...] = (),
    document_ids: tuple[str, ...] = (),
    model: str = MODEL,
) -> SearchQuery:
    """A query no model could embed: only its words rank the chunks of `model`."""
    return SearchQuery(
        text=text, embedding=None, embedding_model=model, k=k, tags=tags, document_ids=document_ids
    )


async def add_page(
    index: VectorIndex, document_id: str, page: str, texts: list[str], angle: float = 0.0
) -> list[Chunk]:
    """Chunks of one page with the given texts, embedded at `angle` plus a little per chunk."""
    chunks = [make_chunk(document_id, page, n, text) for n, text in enumerate(texts)]
    await index.add([make_indexed(c, direction(angle + n / 100)) for n, c in enumerate(chunks)])
    return chunks


# Builds an empty index with the fusion knobs given (rrf_k, vector_weight, text_weight).
IndexFactory = Callable[..., VectorIndex]


class VectorIndexContract:
    """Behaviour every VectorIndex must have; `index` must start empty."""

    @pytest.fixture
    def make_index(self) -> IndexFactory:
        raise NotImplementedError

    @pytest.fixture
    def index(self, make_index: IndexFactory) -> VectorIndex:
        return make_index()

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
        # A hit is labelled by its document; where it sits is `page_no`, not the page list.
        labelled = dataclasses.replace(liveness, pages=())
        assert (hit.chunk, hit.liveness, hit.page_no) == (chunk, labelled, 3)

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

    async def test_a_chunk_holding_only_some_words_of_the_question_is_found_by_its_text(
        self, make_index: IndexFactory
    ) -> None:
        index = make_index(vector_weight=0.0)
        texts = ["alpha beta", "gamma delta", "the zanzibar archipelago"]
        await index.add(
            [
                make_indexed(make_chunk("doc", "p", n, text), direction(n * 0.4))
                for n, text in enumerate(texts)
            ]
        )
        await index.publish(make_liveness("doc", [("p", 1)]))
        hits = await index.search(query("which volcano is in the zanzibar archipelago?", k=3))
        assert hits[0].chunk.text == "the zanzibar archipelago"
        assert hits[0].score > 0

    @pytest.mark.parametrize(
        "question", ["capture_output", "what does capture output do?", "CAPTURE_OUTPUT=True"]
    )
    async def test_an_identifier_is_found_as_written_and_by_its_parts(
        self, make_index: IndexFactory, question: str
    ) -> None:
        index = make_index(vector_weight=0.0)
        texts = ["pass text=True to decode", "run(args, capture_output=True)", "output files"]
        await add_page(index, "doc", "p", texts)
        await index.publish(make_liveness("doc", [("p", 1)]))

        hits = await index.search(query(question, k=3))

        assert hits[0].chunk.text == "run(args, capture_output=True)"

    async def test_the_section_of_a_chunk_counts_in_its_text_rank_and_comes_back(
        self, make_index: IndexFactory
    ) -> None:
        index = make_index(vector_weight=0.0)
        plain = make_chunk("doc", "p", 0, "remove the rule under the header")
        headed = dataclasses.replace(
            make_chunk("doc", "p", 1, "set it to zero to remove it"), section="The header rule"
        )
        await index.add([make_indexed(plain, direction(0)), make_indexed(headed, direction(1))])
        await index.publish(make_liveness("doc", [("p", 1)]))

        hits = await index.search(query("header rule", k=2))

        assert hits[0].chunk == headed
        assert hits[0].chunk.section == "The header rule"

    async def test_term_counts_say_how_many_chunks_of_the_model_hold_each_term(
        self, index: VectorIndex
    ) -> None:
        await add_page(index, "doc", "p", ["apple pie", "apple tart", "sorted pears"])
        elsewhere = make_chunk("doc", "q", 0, "apple apple")
        await index.add([make_indexed(elsewhere, model="other-model")])
        # Hidden chunks count too: only the corpus' vocabulary matters, not what is live.

        counted = await index.term_counts(MODEL, terms("apples pear sorting plum"))

        assert counted.chunks == 3
        assert dict(counted.counts) == {"appl": 2, "pear": 1, "sort": 1}
        assert (await index.term_counts("no-such-model", ["appl"])).counts == {}

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

    # Each adapter's subclass runs this method: differing executors are the point of the suite.
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.differing_executors,
        ],
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

    async def test_the_score_is_the_weighted_reciprocal_rank_fusion(
        self, make_index: IndexFactory
    ) -> None:
        index = make_index(rrf_k=10, vector_weight=2.0, text_weight=0.5)
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

    async def test_an_embedding_of_the_wrong_length_is_refused(self, index: VectorIndex) -> None:
        await index.add([make_indexed(make_chunk("doc", "p"), [1.0, 0.0, 0.0, 0.0])])
        with pytest.raises(InvalidInput):
            await index.add([make_indexed(make_chunk("doc", "p", 1), [1.0, 0.0])])
        with pytest.raises(InvalidInput):
            await index.search(SearchQuery(text="x", embedding=[1.0], embedding_model=MODEL, k=1))

    async def test_searches_are_counted_and_timed_by_status_and_model(
        self, make_index: IndexFactory
    ) -> None:
        metrics = PrometheusMetrics()
        index = make_index(metrics=metrics)
        await add_page(index, "doc", "p", ["measured text"])
        await index.publish(make_liveness("doc", [("p", 1)]))

        assert len(await index.search(query("measured text"))) == 1
        with pytest.raises(InvalidInput):  # a query of another length than the model's
            await index.search(SearchQuery(text="x", embedding=[1.0], embedding_model=MODEL, k=1))

        readings = PrometheusReadings(metrics)
        ok, error = {"status": "ok", "model": MODEL}, {"status": "error", "model": MODEL}
        assert readings.counter("vector_search_requests", ok) == 1
        assert readings.counter("vector_search_requests", error) == 1
        assert (readings.histogram("vector_search_duration_seconds", ok) or (0, 0))[0] == 1
        assert (readings.histogram("vector_search_duration_seconds", error) or (0, 0))[0] == 1

    async def test_a_refused_batch_stores_none_of_its_chunks(self, index: VectorIndex) -> None:
        good = make_chunk("doc", "p", 0, "good chunk")
        bad = make_chunk("doc", "p", 1, "bad chunk")
        with pytest.raises(InvalidInput):
            await index.add([make_indexed(good), make_indexed(bad, [1.0, 0.0])])
        await index.add([make_indexed(make_chunk("doc", "p", 2, "later chunk"))])
        await index.publish(make_liveness("doc", [("p", 1)]))
        assert [h.chunk.text for h in await index.search(query(k=10))] == ["later chunk"]

    async def test_a_query_without_an_embedding_is_ranked_by_its_words_alone(
        self, make_index: IndexFactory
    ) -> None:
        index = make_index(rrf_k=10, text_weight=0.5)
        # The vectors favour the chunks without the words: they must not count.
        await add_page(index, "a", "p", ["the zanzibar archipelago", "alpha beta"], angle=1.5)
        await add_page(index, "b", "p", ["zanzibar spice trade", "gamma delta"], angle=1.5)
        await add_page(index, "hidden", "p", ["zanzibar archipelago unpublished"], angle=1.5)
        elsewhere = make_chunk("a", "p", 7, "zanzibar archipelago of another model")
        await index.add([make_indexed(elsewhere, model="other-model")])
        await index.publish(make_liveness("a", [("p", 1)], tags=("guide",)))
        await index.publish(make_liveness("b", [("p", 1)]))

        hits = await index.search(text_query("Where is the Zanzibar archipelago?"))

        assert [h.chunk.text for h in hits] == ["the zanzibar archipelago", "zanzibar spice trade"]
        assert [h.score for h in hits] == pytest.approx([0.5 / 11, 0.5 / 12])
        assert [h.liveness.document_id for h in hits] == ["a", "b"]

    async def test_a_query_without_an_embedding_keeps_the_filters_and_k(
        self, index: VectorIndex
    ) -> None:
        await add_page(index, "a", "p", ["zanzibar one", "zanzibar two"])
        await add_page(index, "b", "p", ["zanzibar three"])
        await index.publish(make_liveness("a", [("p", 1)], tags=("guide",)))
        await index.publish(make_liveness("b", [("p", 1)]))

        def found(hits: list[Any]) -> list[str]:
            return sorted(h.chunk.text for h in hits)

        assert found(await index.search(text_query("zanzibar", tags=("guide",)))) == [
            "zanzibar one",
            "zanzibar two",
        ]
        assert found(await index.search(text_query("zanzibar", document_ids=("b",)))) == [
            "zanzibar three"
        ]
        assert len(await index.search(text_query("zanzibar", k=2))) == 2
        assert await index.search(text_query("zanzibar", tags=("missing",))) == []
        assert await index.search(text_query("?!")) == []  # no word: nothing to rank by
        assert await index.search(text_query("zanzibar", model="unknown-model")) == []

    async def test_coverage_counts_each_live_chunk_once_and_what_each_model_holds(
        self, index: VectorIndex
    ) -> None:
        assert await index.coverage() == Coverage(live_chunks=0, by_model={})
        both = await add_page(index, "doc", "p", ["one", "two"])
        await index.add([make_indexed(c, model="other-model") for c in both])
        await add_page(index, "doc", "mine", ["three"])
        theirs = make_chunk("doc", "theirs", 0, "four")
        await index.add([make_indexed(theirs, model="other-model")])
        await add_page(index, "doc", "unpublished", ["five"])
        await add_page(index, "gone", "p", ["six"])
        await index.publish(make_liveness("gone", [("p", 1)]))
        await index.withdraw("gone")
        pages = [("p", 1), ("mine", 2), ("theirs", 3), ("p", 4)]  # a page repeated, counted once
        await index.publish(make_liveness("doc", pages))

        coverage = await index.coverage()

        assert coverage.live_chunks == 4
        assert dict(coverage.by_model) == {MODEL: 3, "other-model": 3}
        assert coverage.missing(MODEL) == 1
        assert not coverage.covers("other-model")

    async def test_chunks_without_a_model_are_the_live_ones_it_lacks_page_by_page_in_id_order(
        self, index: VectorIndex
    ) -> None:
        chunks = [
            dataclasses.replace(make_chunk("doc", "p", n, f"passage {n}"), section=f"Part {n}")
            for n in range(5)
        ]
        await index.add([make_indexed(c, model="old-model") for c in chunks])
        await index.add([make_indexed(c, model="older-model") for c in chunks[:3]])
        await index.add([make_indexed(chunks[1], model="new-model")])  # held already
        await index.add([make_indexed(make_chunk("doc", "hidden"), model="old-model")])
        await index.publish(make_liveness("doc", [("p", 1)]))
        lacking = sorted([c for c in chunks if c != chunks[1]], key=lambda c: c.id)

        first = await index.chunks_without("new-model", after=None, limit=3)
        rest = await index.chunks_without("new-model", after=first[-1].id, limit=3)

        assert first == lacking[:3]  # every field, the section included; each chunk once
        assert rest == lacking[3:]
        assert await index.chunks_without("new-model", after=lacking[-1].id, limit=3) == []
        assert await index.chunks_without("old-model", after=None, limit=10) == []
        assert await index.chunks_without("new-model", after=None, limit=0) == []

    async def test_dropping_a_model_removes_its_chunks_from_search_and_coverage(
        self, index: VectorIndex
    ) -> None:
        chunks = await add_page(index, "doc", "p", ["orchid garden", "rose garden"])
        await index.add([make_indexed(c, model="other-model") for c in chunks])
        await index.publish(make_liveness("doc", [("p", 1)]))
        assert (await index.term_counts(MODEL, ["orchid"])).chunks == 2  # kept, where kept

        assert await index.drop_model(MODEL) == 2

        assert await index.search(query("orchid")) == []
        assert await index.search(text_query("orchid")) == []
        assert await index.coverage() == Coverage(live_chunks=2, by_model={"other-model": 2})
        assert await index.term_counts(MODEL, terms("orchid garden")) == TermCounts(0, {})
        assert len(await index.search(query("orchid", model="other-model"))) == 2
        assert await index.drop_model(MODEL) == 0

    async def test_a_model_dropped_and_added_again_is_searchable_even_at_another_length(
        self, index: VectorIndex
    ) -> None:
        [chunk] = await add_page(index, "doc", "p", ["the orchid garden"])
        await index.publish(make_liveness("doc", [("p", 1)]))
        await index.drop_model(MODEL)

        await index.add([make_indexed(chunk, direction(0.0, 8))])

        again = SearchQuery(text="orchid", embedding=direction(0.0, 8), embedding_model=MODEL)
        assert [h.chunk for h in await index.search(again)] == [chunk]
        assert [h.chunk for h in await index.search(text_query("orchid"))] == [chunk]
        assert await index.term_counts(MODEL, ["orchid"]) == TermCounts(1, {"orchid": 1})


async def traced_search(make_index: IndexFactory, *, text_only: bool = False) -> dict[str, Any]:
    """The spans of one search over one chunk, by name (of its words alone if `text_only`)."""
    exporter = InMemorySpanExporter()
    tracer = OpenTelemetryTracer(
        export_log_interval_s=60, processor=SimpleSpanProcessor(exporter), sampler=ALWAYS_ON
    )
    index = make_index(tracer=tracer)
    await index.add([make_indexed(make_chunk("doc", "p", 0, "a question"))])
    await index.publish(make_liveness("doc", [("p", 1)]))
    assert len(await index.search(text_query("question") if text_only else query())) == 1
    return {span.name: span for span in exporter.get_finished_spans()}


class TestInMemoryVectorIndex(VectorIndexContract):
    @pytest.fixture
    def make_index(self) -> IndexFactory:
        return lambda **knobs: from_settings(InMemoryVectorIndex, **knobs)

    async def test_a_search_is_a_span_with_one_child_per_ranking(
        self, make_index: IndexFactory
    ) -> None:
        spans = await traced_search(make_index)

        search = spans["vector_index.search"]
        for leg in ("vector_index.vector_leg", "vector_index.text_leg"):
            assert spans[leg].parent.span_id == search.context.span_id

    async def test_a_search_without_an_embedding_has_no_vector_leg(
        self, make_index: IndexFactory
    ) -> None:
        spans = await traced_search(make_index, text_only=True)

        assert set(spans) == {"vector_index.search", "vector_index.text_leg"}


class TestPgVectorIndex(VectorIndexContract):
    @pytest.fixture
    def make_index(self, postgres: PostgresDatabase) -> IndexFactory:
        return lambda **knobs: from_settings(PgVectorIndex, database=postgres, **knobs)

    @pytest.fixture(params=["settings per search", "settings per connection"])
    async def postgres(self, request: pytest.FixtureRequest) -> AsyncIterator[PostgresDatabase]:
        """Both ways of giving the HNSW scan its settings: SET LOCAL in a transaction around
        each search, or connections that start with them (as the container opens its pool)."""
        per_connection = request.param == "settings per connection"
        settings = (
            search_session_settings(Settings().index.hnsw_ef_search) if per_connection else None
        )
        async for database in migrated_schema(settings):
            yield database

    async def test_a_search_is_one_span_naming_the_path_its_statement_took(
        self, make_index: IndexFactory
    ) -> None:
        spans = await traced_search(make_index)

        assert set(spans) == {"vector_index.search"}  # both rankings run in one statement
        assert spans["vector_index.search"].attributes["askdocs.index.path"] in ("hnsw", "exact")

    async def test_a_search_without_an_embedding_takes_the_text_path(
        self, make_index: IndexFactory
    ) -> None:
        spans = await traced_search(make_index, text_only=True)

        assert spans["vector_index.search"].attributes["askdocs.index.path"] == "text"

    async def test_dropping_a_model_drops_its_hnsw_index_and_adding_it_again_builds_one(
        self, postgres: PostgresDatabase
    ) -> None:
        index = from_settings(PgVectorIndex, database=postgres)
        other = from_settings(PgVectorIndex, database=postgres)
        await index.add([make_indexed(make_chunk("doc", "p"))])
        await other.add([make_indexed(make_chunk("doc", "p"), model="other-model")])

        async def indexes() -> set[str]:
            async with postgres.connection() as connection:
                rows = await connection.fetch(
                    "SELECT indexname FROM pg_indexes WHERE indexname = ANY($1::text[])",
                    [index_name(MODEL), index_name("other-model")],
                )
            return {row["indexname"] for row in rows}

        assert await indexes() == {index_name(MODEL), index_name("other-model")}
        await index.drop_model(MODEL)
        assert await indexes() == {index_name("other-model")}
        await index.add([make_indexed(make_chunk("doc", "p"), direction(0.2, 8))])
        assert await indexes() == {index_name(MODEL), index_name("other-model")}

    async def test_the_database_refuses_a_length_another_process_did_not_store(
        self, postgres: PostgresDatabase
    ) -> None:
        await from_settings(PgVectorIndex, database=postgres).add(
            [make_indexed(make_chunk("doc", "p"))]
        )
        fresh = from_settings(PgVectorIndex, database=postgres)  # knows nothing of the model yet
        with pytest.raises(InvalidInput):
            await fresh.add([make_indexed(make_chunk("doc", "p", 1), [1.0, 0.0])])
        with pytest.raises(InvalidInput):
            await from_settings(PgVectorIndex, database=postgres).search(
                SearchQuery(text="x", embedding=[1.0], embedding_model=MODEL, k=1)
            )

    async def test_first_batches_of_a_new_model_racing_agree_on_its_length(
        self, postgres: PostgresDatabase
    ) -> None:
        batches = [
            [make_indexed(make_chunk("doc", "p", n, f"chunk {n}"), direction(0.1, dim))]
            for n, dim in enumerate((4, 8))
        ]
        outcomes = await asyncio.gather(
            *(from_settings(PgVectorIndex, database=postgres).add(batch) for batch in batches),
            return_exceptions=True,
        )
        assert sorted(type(o).__name__ for o in outcomes) == ["InvalidInput", "NoneType"]

    async def test_a_model_id_that_cannot_be_stored_is_refused_and_never_found(
        self, index: VectorIndex
    ) -> None:
        with pytest.raises(InvalidInput):
            await index.add([make_indexed(make_chunk("doc", "p"), model="x'; DROP TABLE chunks")])
        assert await index.search(query(model="x'; DROP TABLE chunks")) == []

    @pytest.mark.parametrize(("dim", "indexed"), [(2048, "halfvec_cosine_ops"), (4096, None)])
    async def test_long_vectors_use_halfvec_or_an_exact_scan(
        self, postgres: PostgresDatabase, dim: int, indexed: str | None
    ) -> None:
        index = from_settings(PgVectorIndex, database=postgres)
        model = f"long-{dim}"
        texts = [f"passage {n}" for n in range(20)]
        await index.add(
            [
                make_indexed(make_chunk("doc", "p", n, t), direction(n / 10, dim), model=model)
                for n, t in enumerate(texts)
            ]
        )
        await index.publish(make_liveness("doc", [("p", 1)]))
        hits = await index.search(
            SearchQuery(text="", embedding=direction(0.72, dim), embedding_model=model, k=3)
        )
        assert [h.chunk.text for h in hits] == ["passage 7", "passage 8", "passage 6"]
        async with postgres.connection() as connection:
            definition = await connection.fetchval(
                "SELECT indexdef FROM pg_indexes WHERE indexname = $1", index_name(model)
            )
        if indexed is None:
            assert definition is None
        else:
            assert indexed in definition
            assert f"halfvec({dim})" in definition
