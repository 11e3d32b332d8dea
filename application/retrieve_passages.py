"""RetrievePassages: search, look again at the best candidates, and weigh the evidence."""

from __future__ import annotations

import dataclasses

from askdocs.application.embedding_models import EmbeddingModels
from askdocs.application.ports import SearchHit, SearchQuery, VectorIndex
from askdocs.application.ports.ranking import Reranker
from askdocs.application.ports.tracing import Tracer
from askdocs.domain.evidence import (
    Weights,
    answerability_weights,
    corpus_weights,
    terms_coverage,
)
from askdocs.domain.lexicon import terms
from askdocs.domain.ranking import PassageTerms, lexical_relevance, question_pairs


@dataclasses.dataclass(frozen=True, slots=True)
class Retrieved:
    """The passages for a question, best first, and how strongly each bears on it.

    `coverages[i]` is the weighted share of the question's terms hit `i` holds (0 to 1):
    when no passage covers much, the documents do not speak of what was asked.
    """

    hits: tuple[SearchHit, ...]
    coverages: tuple[float, ...]
    text_only: bool = False
    """No embedding model could read the question: the hits were found by its words alone."""

    def coverage(self, first: int | None = None) -> float:
        """The best coverage among the `first` hits (all of them by default)."""
        return max(self.coverages[:first], default=0.0)


@dataclasses.dataclass(frozen=True, slots=True)
class RetrievePassages:
    """Search the index `depth` deep, rerank those candidates, keep the best `k` (with
    `depth` 0, the index's own best `k`, not reranked).

    The question is embedded by the first of `embedders` that covers the corpus and answers,
    or searched by its words alone when none does (`Retrieved.text_only`). The index's fused
    ranking finds the candidates; `lexical_relevance`, with the question's
    terms weighted by their rarity in the whole index, orders them, so every index ends in
    the same order when it finds the same candidates. A `reranker` (a semantic model), when
    given, adds its score times `reranker_weight`.

    Raises:
        UpstreamError: the embedder, the index or the reranker failed.
    """

    index: VectorIndex
    embedders: EmbeddingModels
    depth: int
    reranker: Reranker | None
    reranker_weight: float
    tracer: Tracer

    async def execute(self, question: str, *, k: int, tags: tuple[str, ...] = ()) -> Retrieved:
        attributes = {"askdocs.retrieval.k": k, "askdocs.retrieval.depth": self.depth}
        with self.tracer.span("retrieval", attributes=attributes) as span:
            retrieved = await self._retrieve(question, k=k, tags=tags)
            span.set_attributes({"askdocs.retrieval.hits": len(retrieved.hits)})
        return retrieved

    async def _retrieve(self, question: str, *, k: int, tags: tuple[str, ...]) -> Retrieved:
        embedded = await self.embedders.embed_question(question)
        model = embedded.model
        hits = await self.index.search(
            SearchQuery(
                text=question,
                embedding=embedded.vector,
                embedding_model=model,
                k=max(k, self.depth),
                tags=tags,
            )
        )
        if not hits:
            return Retrieved((), (), embedded.text_only)
        counted = await self.index.term_counts(model, list(dict.fromkeys(terms(question))))
        weights = corpus_weights(question, counted.counts, counted.chunks)
        # Each candidate is cut into terms once: its score and its coverage both read them.
        passages = [PassageTerms.of(hit.chunk.text, hit.chunk.section) for hit in hits]
        if self.depth <= 0:  # no second look: the index's own order
            scores = [hit.score for hit in hits]
            order = list(range(len(hits)))[:k]
        else:
            attributes = {
                "askdocs.rerank.candidates": len(hits),
                "askdocs.rerank.semantic": self.reranker is not None,
            }
            with self.tracer.span("rerank", attributes=attributes):
                scores = await self._scores(question, hits, passages, weights)
            order = sorted(range(len(hits)), key=lambda i: (-scores[i], i))[:k]
        best = tuple(dataclasses.replace(hits[i], score=scores[i]) for i in order)
        answering = answerability_weights(question, counted.counts, counted.chunks)
        coverages = tuple(terms_coverage(answering, passages[i].all) for i in order)
        return Retrieved(best, coverages, embedded.text_only)

    async def _scores(
        self,
        question: str,
        hits: list[SearchHit],
        passages: list[PassageTerms],
        weights: Weights,
    ) -> list[float]:
        pairs = question_pairs(question)
        scores = [
            lexical_relevance(weights, pairs, passage, rank)
            for rank, passage in enumerate(passages)
        ]
        if self.reranker is not None:
            texts = [h.chunk.embedded_text for h in hits]
            semantic = await self.reranker.score(question, texts)
            scores = [s + self.reranker_weight * m for s, m in zip(scores, semantic, strict=True)]
        return scores
