"""ExtractiveChatModel: answers without an LLM by quoting the passages' best evidence."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator

from askdocs.application.ports import ChatRequest, Delta, StreamEvent
from askdocs.domain.answers import Completion, Quote, declined
from askdocs.domain.evidence import Unit, Weights, question_weights, units_of
from askdocs.domain.text_blocks import BlockKind

MIN_COVERAGE = 0.1
"""Below this share of the question's (weighted) terms in any unit, the passages do not
answer it: askdocs says so rather than quote something beside the point. Low, because the
passages have passed `index.min_coverage` already: a unit of them sharing a term or two is
the best quote a paraphrased question gets."""
MAX_UNITS = 3
CANDIDATE_RELATIVE = 0.4
"""A unit scoring below this share of the best is not quoted, whatever it adds."""
MIN_GAIN = 0.05
"""A unit adding less than this (weighted) share of the question to the chosen ones adds
nothing new."""
KEEP_RELATIVE = 0.75
"""When no unit adds anything new, one scoring at least this share of the best is quoted."""
MAX_HEADING_CHARS = 90
NAME_BONUS = 0.15
"""What holding a name (a call, an option, a variable) is worth when the question asks for
one ("which option...", "how do I..."): technical answers are names more often than prose."""
_ASKS_FOR_A_NAME = re.compile(
    r"\b(?:which|what)\b.*\b(?:command|option|function|variable|setting|macro|program|flag"
    r"|argument|parameter|method|class|module|constant|key|file|package|directive|keyword"
    r"|mode|format|character|type|call|routine|tool|encoding|value|string|name|field"
    r"|attribute|exception|error)s?\b|\bhow (?:do|can|should|would) (?:i|you|we)\b",
    re.IGNORECASE,
)
_NAMES = re.compile(
    r"`|\w\(|(?<![\w-])--?[A-Za-z]|[A-Za-z0-9]_[A-Za-z0-9]|\\[A-Za-z]+|\w=|[a-z][A-Z]"
    r"|\b[A-Z][A-Z0-9_]{2,}\b"
)
_EXAMPLE = re.compile(r"(?:for (?:example|instance)|e\.g\.)[,:]?\s", re.IGNORECASE)
_COMMENTS = ("#", "'", '"', "//")
SEQUEL_MAX_CHARS = 300
"""The longest unit quoted for following the best one (see `_with_sequel`)."""
CODE_LINES_SHOWN = 4
"""Lines of a code block a sentence introducing it brings into the answer."""
RANK_PRIOR = 0.02
"""What being retrieved first is worth, against covering the whole question (1.0)."""


@dataclasses.dataclass(frozen=True, slots=True)
class _Scored:
    unit: Unit
    score: float
    said: Unit
    """The unit as it is quoted: with the terms of the code it introduces."""


class ExtractiveChatModel:
    """Quotes the units of the passages that cover the question best, each with its heading.

    Candidates are the sentences, list items, table rows and code lines of the passages
    (`askdocs.domain.evidence`); a unit's score is the weighted share of the question it
    covers (a sentence introducing code with the code's terms, as it is quoted with it),
    plus a little for the passage's retrieval rank. The best unit is quoted whole, with up
    to two more that cover what it leaves of the question (`_covering`), in document
    order; a prose unit that introduces a code block (ends with ":") brings the block's
    first lines. When no unit covers MIN_COVERAGE of the question, the answer says the
    documents do not answer it, lists the closest passages, and is marked not answered.
    """

    def __init__(self, *, model: str) -> None:
        self._model = model

    @property
    def name(self) -> str:
        return "extractive"

    @property
    def models(self) -> tuple[str, ...]:
        return (self._model,)

    @property
    def takes_sampling(self) -> bool:
        return False  # quotes are chosen, not sampled: temperature and max_tokens are ignored

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
        wants_a_name = _ASKS_FOR_A_NAME.search(request.question) is not None
        scored = (_scored(i, units, weights, wants_a_name) for i in range(len(units)))
        ranked = _once_each(sorted(scored, key=lambda s: -s.score))
        if not ranked or weights.coverage(ranked[0].said) < MIN_COVERAGE:
            return declined(request.passages, model=self._model, provider=self.name)
        chosen = _covering(ranked, weights)
        chosen = _with_commented_code(_with_examples(_with_sequel(chosen, units), units), units)
        chosen = sorted(chosen, key=lambda u: (u.label, u.start))
        chosen = _with_introduced_code(chosen, units)
        return Completion(
            text=_answer_text(chosen),
            cited=tuple(dict.fromkeys(u.label for u in chosen)),
            model=self._model,
            provider=self.name,
            quotes=tuple(Quote(u.label, u.start, u.end) for u in chosen),
        )


def _scored(position: int, units: list[Unit], weights: Weights, wants_a_name: bool) -> _Scored:
    """The unit at `position` scored as it would be quoted: with the code it introduces."""
    unit = units[position]
    code = _introduced_code(position, units)
    if code:
        said = dataclasses.replace(unit, terms=unit.terms.union(*(line.terms for line in code)))
        return _Scored(unit, _score(said, weights, wants_a_name), said)
    return _Scored(unit, _score(unit, weights, wants_a_name), unit)


def _once_each(ranked: list[_Scored]) -> list[_Scored]:
    """`ranked` with a text repeated by overlapping chunks kept once, where it introduces
    code if it does anywhere (a chunk may begin with the sentence that ends the one before,
    the code following it there), else where it scores best."""
    kept: dict[str, _Scored] = {}
    for scored in ranked:
        text = scored.unit.text
        if text not in kept or len(scored.said.terms) > len(kept[text].said.terms):
            kept[text] = scored
    return sorted(kept.values(), key=lambda s: -s.score)


def _score(unit: Unit, weights: Weights, wants_a_name: bool) -> float:
    # A unit under a name (an API entry's signature) holds that name too.
    named = wants_a_name and (
        unit.kind is BlockKind.CODE or _NAMES.search(f"{unit.heading} {unit.text}") is not None
    )
    return weights.coverage(unit) + RANK_PRIOR / unit.label + (NAME_BONUS if named else 0.0)


def _covering(ranked: list[_Scored], weights: Weights) -> list[Unit]:
    """Up to MAX_UNITS units that together cover the question: the best, then each time the
    candidate adding most of the question the chosen ones leave out (plus half its own
    score, so between units adding as much the better one goes first).

    A question asks several things ("the n biggest items in a large dataset"): three
    sentences that each say its commonest words answer less than one that names the
    items and one that says "largest". When no candidate adds anything (MIN_GAIN), one
    nearly as good as the best (KEEP_RELATIVE) is quoted instead: it may say the same
    thing of another entry.
    """
    best = ranked[0].score
    candidates = [s for s in ranked if s.score >= best * CANDIDATE_RELATIVE]
    chosen = [ranked[0].unit]
    covered = weights.held_by(ranked[0].said)
    while len(chosen) < MAX_UNITS:
        fresh = [s for s in candidates if _is_new(s.unit, chosen)]
        if not fresh:
            break
        gains = [weights.coverage(s.said, besides=covered) for s in fresh]
        position = max(range(len(fresh)), key=lambda i: gains[i] + fresh[i].score / 2)
        pick: _Scored | None = fresh[position]
        if gains[position] < MIN_GAIN:
            pick = next((s for s in fresh if s.score >= best * KEEP_RELATIVE), None)
        if pick is None:
            break
        chosen.append(pick.unit)
        covered |= weights.held_by(pick.said)
    return chosen


def _is_new(unit: Unit, chosen: list[Unit]) -> bool:
    """Whether `unit` says something the chosen ones do not: overlapping chunks repeat text."""
    return not any(unit.text in c.text or c.text in unit.text for c in chosen)


def _with_sequel(chosen: list[Unit], units: list[Unit]) -> list[Unit]:
    """The chosen units and, after the best one (when prose) and any chosen right after it,
    the unit that follows under the same heading, if short (up to SEQUEL_MAX_CHARS).

    The sentence that matches the question's words best is often the one that sets up the
    answer, the next one giving it: "Problem line. There is one ..." then the line itself,
    "--tune: fine tunes the library" then how long that takes.
    """
    best = chosen[0]
    position = units.index(best) + 1
    while position < len(units) and units[position] in chosen:  # chosen already: the next
        position += 1
    if best.kind is BlockKind.CODE or position >= len(units):
        return chosen
    sequel = units[position]
    return [*chosen, sequel] if _goes_on(best, sequel) else chosen


def _goes_on(unit: Unit, following: Unit) -> bool:
    """Whether `following` may be quoted after `unit`: short (up to SEQUEL_MAX_CHARS), and in
    the same paragraph, or in the next one when `unit` ends by introducing it (":"). A new
    paragraph that nothing introduced starts another subject: "Permits cost forty euros."
    is not answered further by "The observatory opens at nine." below it."""
    same_place = following.label == unit.label and following.heading == unit.heading
    introduced = following.block == unit.block or (
        following.block == unit.block + 1 and unit.text.rstrip().endswith(":")
    )
    return same_place and introduced and len(following.text) <= SEQUEL_MAX_CHARS


def _with_examples(chosen: list[Unit], units: list[Unit]) -> list[Unit]:
    """The chosen units and, after each chosen sentence, the next one if it gives an example
    of what it says ("For example, ord('a') returns 97."), under the same heading and short
    (up to SEQUEL_MAX_CHARS): a rule is understood by its example."""
    result = list(chosen)
    for unit in chosen:
        position = units.index(unit) + 1
        if unit.kind is BlockKind.CODE or position >= len(units):
            continue
        following = units[position]
        example = _EXAMPLE.match(following.text) is not None
        if example and _goes_on(unit, following) and following not in result:
            result.append(following)
    return result


def _with_commented_code(chosen: list[Unit], units: list[Unit]) -> list[Unit]:
    """The chosen units and, around each chosen comment or docstring line of code, the
    lines it documents: the header above it (a line ending with ":", `def find_le(a, x):`)
    and the line below it. A comment says what code does; quoted alone it names nothing."""
    result = list(chosen)
    for unit in chosen:
        if unit.kind is not BlockKind.CODE or not unit.text.lstrip().startswith(_COMMENTS):
            continue
        position = units.index(unit)
        around = [
            units[p]
            for p in (position - 1, position + 1)
            if 0 <= p < len(units)
            and units[p].kind is BlockKind.CODE
            and units[p].label == unit.label
            and (p > position or units[p].text.rstrip().endswith(":"))
        ]
        result.extend(line for line in around if line not in result)
    return result


def _with_introduced_code(chosen: list[Unit], units: list[Unit]) -> list[Unit]:
    """Each chosen unit followed by the code it introduces (`_introduced_code`)."""
    result: list[Unit] = []
    for unit in chosen:
        if unit not in result:
            result.append(unit)
        code = _introduced_code(units.index(unit), units)
        result.extend(line for line in code if line not in result)
    return result


def _introduced_code(position: int, units: list[Unit]) -> list[Unit]:
    """The first lines (up to CODE_LINES_SHOWN) of the code right after the prose unit at
    `position` if it ends with ":" or runs on unfinished (no closing period), else none.

    Manuals introduce the command or call that answers with a sentence ("To create one,
    run:"): quoting the sentence without the command answers nothing.
    """
    # "To quit, type:" and "the command is" both introduce what follows.
    unit = units[position]
    if unit.kind is BlockKind.CODE or unit.text.endswith((".", "!", "?")):
        return []
    position += 1
    code: list[Unit] = []
    while position < len(units) and len(code) < CODE_LINES_SHOWN:
        following = units[position]
        if following.label != unit.label or following.kind is not BlockKind.CODE:
            break
        code.append(following)
        position += 1
    return code


def _answer_text(chosen: list[Unit]) -> str:
    """The chosen units as the answer: prose under its heading (once a passage), lines of
    code fenced together, each passage's run ending with its citation."""
    runs: list[list[Unit]] = []
    for unit in chosen:
        last = runs[-1][-1] if runs else None
        joins = last is not None and last.label == unit.label and last.kind is BlockKind.CODE
        if joins and unit.kind is BlockKind.CODE:
            runs[-1].append(unit)
        else:
            runs.append([unit])
    parts: list[str] = []
    for index, run in enumerate(runs):
        first = run[0]
        earlier = runs[index - 1][-1] if index else None
        if first.kind is BlockKind.CODE:
            text = "\n```\n" + "\n".join(u.text for u in run) + "\n```"
        else:
            text = first.text
            said = earlier is not None and (earlier.label, earlier.heading) == (
                first.label,
                first.heading,
            )
            heading = first.heading
            if heading and not said and heading.casefold() not in first.text.casefold():
                if len(heading) > MAX_HEADING_CHARS:
                    heading = heading[:MAX_HEADING_CHARS] + "…"
                text = f"{heading}: {text}"
        following = runs[index + 1][0] if index + 1 < len(runs) else None
        if following is None or following.label != first.label:
            text += f" [{first.label}]"
        parts.append(text)
    return " ".join(parts).replace(" \n```", "\n```").strip()
