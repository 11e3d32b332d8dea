"""Which embedding model a question goes to, and the worker's backfill of missing vectors,
over the in-memory index."""

from __future__ import annotations

import pytest

from askdocs.adapters.cache.memory import InMemoryAnswerCache
from askdocs.adapters.index.memory import InMemoryVectorIndex
from askdocs.adapters.metrics.noop import NoopMetrics
from askdocs.adapters.tracing.noop import NoopTracer
from askdocs.application.backfill_embeddings import BackfillEmbeddings, KeepEmbeddingsComplete
from askdocs.application.embedding_models import EmbeddingModels
from askdocs.domain.chunking import Chunk
from tests.contract.builders import make_chunk, make_indexed, make_liveness
from tests.support.settings_wiring import from_settings
from tests.support.switchable_embedder import SwitchableEmbedder

PAGES = ["The otter floats on its back.", "The heron waits in the shallows."]


async def store(index: InMemoryVectorIndex, chunk: Chunk, *models: SwitchableEmbedder) -> None:
    for model in models:
        (vector,) = await model.embed_documents([chunk.text])
        await index.add([make_indexed(chunk, vector, model=model.model_id)])


@pytest.fixture
async def index() -> InMemoryVectorIndex:
    return from_settings(InMemoryVectorIndex)


def models(index: InMemoryVectorIndex, *embedders: SwitchableEmbedder) -> EmbeddingModels:
    return EmbeddingModels(
        embedders, index=index, coverage_ttl_s=0, metrics=NoopMetrics(), tracer=NoopTracer()
    )


async def test_when_no_model_covers_the_corpus_the_most_complete_is_asked_first(
    index: InMemoryVectorIndex,
) -> None:
    preferred, complete = SwitchableEmbedder(64), SwitchableEmbedder(96)
    otter, heron = (make_chunk("doc", page) for page in PAGES)
    await store(index, otter, complete)
    await store(index, heron, complete)
    await index.publish(make_liveness("doc", [(PAGES[0], 1), (PAGES[1], 2)]))
    crane = make_chunk("other", "The crane dances.")
    await store(index, crane, preferred)
    await index.publish(make_liveness("other", [("The crane dances.", 1)]))

    embedded = await models(index, preferred, complete).embed_question("Where does the heron wait?")

    coverage = await index.coverage()
    assert not coverage.covers(preferred.model_id)
    assert not coverage.covers(complete.model_id)
    assert coverage.missing(complete.model_id) == 1 < coverage.missing(preferred.model_id)
    assert (embedded.model, embedded.text_only) == (complete.model_id, False)


async def test_when_every_model_fails_the_question_goes_by_words_over_a_covering_model(
    index: InMemoryVectorIndex,
) -> None:
    partial, covering = SwitchableEmbedder(64), SwitchableEmbedder(96)
    otter, heron = (make_chunk("doc", page) for page in PAGES)
    await store(index, otter, partial, covering)
    await store(index, heron, covering)
    await index.publish(make_liveness("doc", [(PAGES[0], 1), (PAGES[1], 2)]))
    covering.down = partial.down = True

    embedded = await models(index, partial, covering).embed_question("Where does the heron wait?")

    assert (embedded.model, embedded.text_only) == (covering.model_id, True)
    assert partial.questions_embedded == 0  # a model missing chunks is not asked


async def test_the_backfill_goes_on_past_a_model_that_fails_and_fills_the_others(
    index: InMemoryVectorIndex,
) -> None:
    down, broken, missing = SwitchableEmbedder(32), SwitchableEmbedder(48), SwitchableEmbedder(64)
    held = SwitchableEmbedder(96)
    for page in PAGES:
        await store(index, make_chunk("doc", page), held)
    await index.publish(make_liveness("doc", [(PAGES[0], 1), (PAGES[1], 2)]))
    down.down = True

    async def crash(texts: object) -> list[list[float]]:
        raise RuntimeError("a bug in the adapter")

    broken.embed_documents = crash  # type: ignore[method-assign]
    backfill = BackfillEmbeddings(
        index=index,
        cache=from_settings(InMemoryAnswerCache),
        batch=1,
        metrics=NoopMetrics(),
        tracer=NoopTracer(),
    )
    keeper = KeepEmbeddingsComplete(
        models=models(index, held, down, broken, missing),
        backfill=backfill,
        index=index,
        every_s=60,
    )

    embedded = await keeper.once()

    coverage = await index.coverage()
    assert embedded == missing.texts_embedded == 2
    assert coverage.covers(missing.model_id)
    assert not coverage.covers(down.model_id)
    assert not coverage.covers(broken.model_id)
