"""ExtractiveChatModel: answers without an LLM by quoting the passages' best evidence."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

from askdocs.application.ports import ChatRequest, Delta, StreamEvent
from askdocs.domain.answers import Completion, Quote, declined
from askdocs.domain.evidence import Unit, Weights, question_weights, units_of
from askdocs.domain.text_blocks import BlockKind

MIN_COVERAGE = 0.2
"""Below this share of the question's (weighted) terms in any unit, the passages do not
answer it: askdocs says so rather than quote something beside the point."""
MAX_UNITS = 3
KEEP_RELATIVE = 0.75
"""A unit beyond the best is quoted when it scores at least this share of the best."""
MAX_HEADING_CHARS = 90
RANK_PRIOR = 0.02
"""What being retrieved first is worth, against covering the whole question (1.0)."""


@dataclasses.dataclass(frozen=True, slots=True)
class _Scored:
    unit: Unit
    score: float


class ExtractiveChatModel:
    """Quotes the units of the passages that cover the question best, each with its heading.

    Candidates are the sentences, list items, table rows and code lines of the passages
    (`askdocs.domain.evidence`); a unit's score is the weighted share of the question it
    covers, plus a little for the passage's retrieval rank. The best unit is quoted whole,
    with up to two more that score nearly as well, in document order; a prose unit that
    introduces a code block (ends with ":") brings the block's first line. When no unit
    covers half of the question, the answer says the documents do not answer it, lists the
    closest passages, and is marked not answered.
    """

    def __init__(self, *, model: str = "extractive") -> None:
        self._model = model

    @property
    def name(self) -> str:
        return "extractive"

    @property
    def models(self) -> tuple[str, ...]:
        return (self._model,)

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        """The answer in one delta: it is chosen whole, there is nothing to wait for."""
        completion = await self.complete(request)
        yield Delta(completion.text)
        yield completion

    async def complete(self, request: ChatRequest) -> Completion:
        units = [
            unit
            for label, passage in enumerate(request.passages, start=1)
            for unit in units_of(label, passage.text, passage.section)
        ]
        weights = question_weights(request.question, units)
        ranked = sorted((_Scored(u, _score(u, weights)) for u in units), key=lambda s: -s.score)
        if not ranked or weights.coverage(ranked[0].unit) < MIN_COVERAGE:
            return declined(request.passages, model=self._model, provider=self.name)
        best = ranked[0].score
        chosen = _distinct([s.unit for s in ranked if s.score >= best * KEEP_RELATIVE])
        chosen = sorted(chosen[:MAX_UNITS], key=lambda u: (u.label, u.start))
        chosen = _with_introduced_code(chosen, units)
        return Completion(
            text=" ".join(_quoted(unit, chosen, index) for index, unit in enumerate(chosen)),
            cited=tuple(dict.fromkeys(u.label for u in chosen)),
            model=self._model,
            provider=self.name,
            quotes=tuple(Quote(u.label, u.start, u.end) for u in chosen),
        )


def _score(unit: Unit, weights: Weights) -> float:
    return weights.coverage(unit) + RANK_PRIOR / unit.label


def _distinct(units: list[Unit]) -> list[Unit]:
    """Drop units already said: overlapping chunks repeat text."""
    kept: list[Unit] = []
    for unit in units:
        if not any(unit.text in k.text or k.text in unit.text for k in kept):
            kept.append(unit)
    return kept


def _with_introduced_code(chosen: list[Unit], units: list[Unit]) -> list[Unit]:
    """Each chosen prose unit that ends with ":" followed by code brings that code's first line.

    Manuals introduce the command or call that answers with a sentence ("To create one,
    run:"): quoting the sentence without the command answers nothing.
    """
    result: list[Unit] = []
    for unit in chosen:
        result.append(unit)
        if unit.kind is BlockKind.CODE or not unit.text.endswith(":"):
            continue
        following = [u for u in units if u.label == unit.label and u.start > unit.start]
        if following and following[0].kind is BlockKind.CODE and following[0] not in chosen:
            result.append(following[0])
    return result


def _quoted(unit: Unit, chosen: list[Unit], index: int) -> str:
    text = f"`{unit.text}`" if unit.kind is BlockKind.CODE else unit.text
    heading = unit.heading
    earlier = chosen[index - 1] if index else None
    said = earlier is not None and earlier.heading == heading and earlier.label == unit.label
    if heading and not said and heading.casefold() not in unit.text.casefold():
        short = heading if len(heading) <= MAX_HEADING_CHARS else heading[:MAX_HEADING_CHARS] + "…"
        text = f"{short}: {text}"
    last = index == len(chosen) - 1 or chosen[index + 1].label != unit.label
    return f"{text} [{unit.label}]" if last else text
