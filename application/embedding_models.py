"""EmbeddingModels: the configured embedding models, and which one embeds a question.

Chunks carry a vector per model. A question is embedded with the first model, in order of
preference, whose vectors cover every live chunk (a model being backfilled would miss part of
the corpus) and whose provider answers; the search then ranks that model's chunks. When no
model can embed it, the search ranks by the question's words alone, over the chunks of the
model that covers the most, and the answer says so.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable, Sequence

from askdocs.application.errors import UpstreamError
from askdocs.application.ports import Coverage, Embedder, Metrics, VectorIndex
from askdocs.application.ports.tracing import Tracer

log = logging.getLogger("askdocs.embeddings")

TEXT_ONLY = (
    "no embedding model could read the question: passages were found by its words alone, "
    "and may miss ones that say the same in other words"
)
"""The warning an answer found without a question embedding carries."""


@dataclasses.dataclass(frozen=True, slots=True)
class QuestionEmbedding:
    """What a question is searched with: `model`'s chunks, ranked by `vector` and by words,
    or by words alone when `vector` is None."""

    model: str
    vector: list[float] | None

    @property
    def text_only(self) -> bool:
        return self.vector is None


class EmbeddingModels:
    """The configured models, most preferred first, and the live corpus each covers.

    Args:
        embedders: one per model, most preferred first; their model ids differ.
        index: tells how many live chunks each model holds.
        coverage_ttl_s: how long a count of the coverage is reused (counting reads every
            live chunk); with a single model it is never counted.
        metrics: counts `question_embedding_failures` by `model`.
        tracer: a span per embedding attempt.
    """

    def __init__(
        self,
        embedders: Sequence[Embedder],
        *,
        index: VectorIndex,
        coverage_ttl_s: float,
        metrics: Metrics,
        tracer: Tracer,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not embedders:
            raise ValueError("at least one embedding model")
        self.embedders = tuple(embedders)
        self._index = index
        self._ttl_s = coverage_ttl_s
        self._metrics = metrics
        self._tracer = tracer
        self._clock = clock
        self._counted: tuple[float, Coverage] | None = None
        self._counting = asyncio.Lock()

    def named(self, model_id: str) -> Embedder | None:
        """The configured model storing vectors as `model_id`."""
        return next((e for e in self.embedders if e.model_id == model_id), None)

    async def coverage(self) -> Coverage:
        """Each model's share of the live chunks, counted at most every `coverage_ttl_s`."""
        if self._counted is None or self._clock() - self._counted[0] >= self._ttl_s:
            async with self._counting:  # questions arriving meanwhile wait for one count
                if self._counted is None or self._clock() - self._counted[0] >= self._ttl_s:
                    self._counted = (self._clock(), await self._index.coverage())
        return self._counted[1]

    async def embed_question(self, question: str) -> QuestionEmbedding:
        """The question's embedding by the first model that covers the corpus and answers;
        by words alone over the best covering model's chunks when none answers.

        Raises:
            UpstreamError: the index failed while counting the coverage.
        """
        candidates = await self._candidates()
        for embedder in candidates:
            model = embedder.model_id
            attributes = {"gen_ai.operation.name": "embeddings", "gen_ai.request.model": model}
            try:
                with self._tracer.span(f"embeddings {model}", attributes=attributes):
                    return QuestionEmbedding(model, await embedder.embed_query(question))
            except UpstreamError as exc:
                log.warning("embedding model %s failed (%s); trying the next", model, exc.detail)
                self._metrics.increment("question_embedding_failures", tags={"model": model})
        return QuestionEmbedding(candidates[0].model_id, None)

    async def _candidates(self) -> list[Embedder]:
        """The models to try, in order: those covering every live chunk, by preference; when
        none does (each misses chunks it failed to embed), all of them, the most complete
        first. A model that misses chunks is not tried after one that covers them all: its
        search would miss them in both rankings, where words alone over the complete model
        miss none by their words."""
        if len(self.embedders) == 1:
            return list(self.embedders)
        coverage = await self.coverage()
        covering = [e for e in self.embedders if coverage.covers(e.model_id)]
        return covering or sorted(self.embedders, key=lambda e: coverage.missing(e.model_id))
