"""EvaluateRetrieval: how well retrieval and the answerer do on a golden set of questions."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from askdocs.application.errors import InvalidInput
from askdocs.application.ports import ChatModel, ChatRequest
from askdocs.application.retrieve_passages import RetrievePassages
from askdocs.domain.answers import clean_question, declined
from askdocs.domain.evaluation import (
    CaseOutcome,
    GoldenCase,
    RetrievalReport,
    first_relevant_rank,
    summarise,
)

DEFAULT_K_VALUES = (1, 5, 10)


@dataclasses.dataclass(frozen=True, slots=True)
class EvaluateRetrieval:
    """Ask every golden question of the live index and score where its source ranked.

    Each question is retrieved the way `AskQuestion` retrieves (no tag filter, only current
    versions of live documents, reranked), `max(k_values)` passages deep; the rank of the first
    relevant passage (see `askdocs.domain.evaluation`) gives recall@k and MRR over that depth.
    The first `answer_k` passages then go to the chat model, and its answer is checked for the
    case's expected string. There is no cache and no conversation: every case is asked fresh.

    Raises:
        InvalidInput: no cases, or a k below 1.
        InvalidQuestion: a case's question is empty or overlong.
        UpstreamError: the embedder, the index or the chat model failed.
    """

    retrieve: RetrievePassages
    chat_model: ChatModel
    answer_k: int
    min_coverage: float
    """As in AskQuestion: passages covering less of the question are not answered from."""

    async def execute(
        self, cases: Sequence[GoldenCase], *, k_values: Sequence[int] = DEFAULT_K_VALUES
    ) -> RetrievalReport:
        if not cases:
            raise InvalidInput("the golden set holds no cases")
        if not k_values or min(k_values) < 1:
            raise InvalidInput("every k must be at least 1")
        outcomes = [await self._outcome(case, max(k_values)) for case in cases]
        return summarise(outcomes, k_values)

    async def _outcome(self, case: GoldenCase, depth: int) -> CaseOutcome:
        question = clean_question(case.question)
        retrieved = await self.retrieve.execute(question, k=max(depth, self.answer_k))
        hits = retrieved.hits
        ranked = hits[:depth]
        passages = tuple(hit.passage() for hit in hits[: self.answer_k])
        answer, answered = "", False
        if passages and retrieved.coverage(self.answer_k) < self.min_coverage:
            answer = declined(passages, model="none", provider="none").text
        elif passages:
            completion = await self.chat_model.complete(
                ChatRequest(question=question, passages=passages)
            )
            answer, answered = completion.text, completion.answered
        return CaseOutcome(
            case=case,
            rank=first_relevant_rank(
                case, [(hit.liveness.document_name, hit.page_no) for hit in ranked]
            ),
            answer=answer,
            retrieved=tuple(hit.liveness.document_name for hit in ranked),
            answered=answered,
            top=(ranked[0].liveness.document_name, ranked[0].page_no) if ranked else None,
        )
