"""BackfillEmbeddings: give a model a vector for every live chunk it lacks.

A model added to `embedder.models`, or one that failed while a document was ingested, misses
chunks; until it holds every live chunk no question is embedded with it (EmbeddingModels).
The backfill pages through the missing chunks in chunk id order and stores each page before
reading the next, so it can stop at any point and a later run goes on where it stopped: what
is stored is no longer missing. Searches go on meanwhile with the models that cover the corpus.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable

from askdocs.application.embedding_models import EmbeddingModels
from askdocs.application.errors import UpstreamError
from askdocs.application.ports import AnswerCache, Embedder, IndexedChunk, Metrics, VectorIndex
from askdocs.application.ports.tracing import Tracer

log = logging.getLogger("askdocs.embeddings")


@dataclasses.dataclass(frozen=True, slots=True)
class BackfillProgress:
    """How far a model's backfill is: chunks embedded so far, and still missing."""

    model: str
    embedded: int
    remaining: int


@dataclasses.dataclass(frozen=True, slots=True)
class BackfillEmbeddings:
    """Embed and store, `batch` at a time, the live chunks `embedder`'s model has no vector
    for; the answer cache starts afresh once any were added (the preferred model may now
    cover the corpus, and answer otherwise).

    Raises:
        UpstreamError: the model or the index failed; what was stored stays stored.
    """

    index: VectorIndex
    cache: AnswerCache
    batch: int
    metrics: Metrics
    tracer: Tracer

    async def execute(
        self,
        embedder: Embedder,
        *,
        progress: Callable[[BackfillProgress], None] | None = None,
    ) -> BackfillProgress:
        model = embedder.model_id
        missing = (await self.index.coverage()).missing(model)
        embedded, after = 0, None
        with self.tracer.span("backfill", attributes={"gen_ai.request.model": model}) as span:
            while chunks := await self.index.chunks_without(model, after=after, limit=self.batch):
                vectors = await embedder.embed_documents([c.embedded_text for c in chunks])
                await self.index.add(
                    [
                        IndexedChunk(chunk=chunk, embedding=vector, embedding_model=model)
                        for chunk, vector in zip(chunks, vectors, strict=True)
                    ]
                )
                embedded, after = embedded + len(chunks), chunks[-1].id
                self.metrics.increment(
                    "embeddings_backfilled", amount=len(chunks), tags={"model": model}
                )
                if progress is not None:
                    progress(BackfillProgress(model, embedded, max(0, missing - embedded)))
            span.set_attributes({"askdocs.chunks": embedded})
        if embedded:
            await self.cache.bump_generation()
        return BackfillProgress(model, embedded, 0)


@dataclasses.dataclass(frozen=True, slots=True)
class KeepEmbeddingsComplete:
    """Every `every_s`, backfill each configured model that misses live chunks: what a worker
    runs beside its jobs when there are several models. Workers that run it at once embed
    some chunks twice; storing them is idempotent."""

    models: EmbeddingModels
    backfill: BackfillEmbeddings
    index: VectorIndex
    every_s: float

    async def run_forever(self) -> None:
        while True:
            await self.once()
            await asyncio.sleep(self.every_s)

    async def once(self) -> int:
        """One pass over the models; how many chunks were embedded."""
        try:
            coverage = await self.index.coverage()
        except UpstreamError as exc:
            log.warning("backfill_skipped", extra={"reason": exc.detail})
            return 0
        embedded = 0
        for embedder in self.models.embedders:
            model = embedder.model_id
            if coverage.covers(model):
                continue
            try:
                done = await self.backfill.execute(embedder)
            except UpstreamError as exc:  # the next pass tries again, from where this stopped
                log.warning("backfill_failed", extra={"model": model, "reason": exc.detail})
                continue
            except Exception:  # a fault must not end the worker's backfills
                log.exception("backfill_crashed", extra={"model": model})
                continue
            embedded += done.embedded
            log.info("backfill_finished", extra={"model": model, "chunks": done.embedded})
        return embedded
