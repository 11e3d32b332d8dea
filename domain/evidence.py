"""Evidence in retrieved passages: the sentences, list items and code lines that answer.

A passage is cut into quotable units along its blocks (`text_blocks`): prose into sentences,
a list item or a table row whole, a code block into its lines. Each unit keeps where it
stands in the passage's text (so a client can highlight it) and the heading it sits under,
which often names what a sentence is about: in an API reference, "Remove any common leading
whitespace" says what `textwrap.dedent(text)` does only under that heading.

A unit is scored by how much of the question it covers: the question's terms weighted by
how rare they are among all the units retrieved (a term no unit holds weighs most), the
unit's heading counting for half. That share, from 0 to 1, also tells whether the passages
answer at all.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence

from askdocs.domain.lexicon import compound_parts, term_set
from askdocs.domain.text_blocks import Block, BlockKind, parse_blocks

TERM_COUNT_CAP = 2000
"""Chunks holding a term are counted no further: past this many, a term is common anyway."""
HEADING_SHARE = 0.5
"""How much a term found only in a unit's heading counts, against one in the unit itself."""
UNKNOWN_WORD_FACTOR = 2.0
"""How much more a word no document uses weighs in deciding whether the passages answer..."""
UNKNOWN_WORD_EVIDENCE_CHUNKS = 1000
"""... once the index holds this many chunks: that a handful of passages never say "much"
tells nothing, that a thousand never name "Zstandard" tells a lot (the extra weight grows
with the index up to this size)."""
MAX_UNIT_CHARS = 600
MAX_TERM_CHARS = 60
MAX_LABEL_WORDS = 2
# A sentence runs to ., ! or ? before white space; "3.11" or "e.g" do not end one.
_SENTENCE = re.compile(r"(?:[^.!?]|[.!?]++(?!\s|$))*+(?:[.!?]+|$)", re.DOTALL)
_ABBREVIATION = re.compile(r"(?:\b(?:e\.g|i\.e|etc|vs|cf|Fig|No|Dr|Mr|Mrs)|\b[A-Za-z])\.$")
_WRAP = re.compile(r"\s*\n\s*")


@dataclasses.dataclass(frozen=True, slots=True)
class Unit:
    """A quotable piece of a passage: `text[start:end]` of passage number `label` (from 1)."""

    label: int
    start: int
    end: int
    text: str
    kind: BlockKind
    heading: str
    terms: frozenset[str]
    heading_terms: frozenset[str]
    block: int = 0
    """Which block (paragraph, list item, code block) of the passage it is in, from 0: units
    of one block say one thing together."""


KEPT_PASSAGES = 2048
"""Passages whose units are kept for the next questions: the passages that answer questions
recur across them, and cutting one into units is most of an extractive answer's work. About
7 KiB a passage of 256 tokens: some 14 MiB when full (ADR 39)."""


def units_of(label: int, text: str, section: str = "") -> list[Unit]:
    """The units of one passage's `text`, in order; `section` heads those before any heading."""
    return list(_units_of(label, text, section))


@functools.lru_cache(maxsize=KEPT_PASSAGES)
def _units_of(label: int, text: str, section: str) -> tuple[Unit, ...]:
    units: list[Unit] = []
    heading = section.rsplit(" > ", 1)[-1] if section else ""
    heading_terms = term_set(heading)  # once per heading, not once per unit under it
    cursor, previous_term = 0, ""
    for number, block in enumerate(parse_blocks(text)):
        start = text.find(block.text, cursor)
        if start < 0:  # parse_blocks trims lines: find the block by its first line instead
            start = text.find(block.text.split("\n", 1)[0].strip(), cursor)
        start = max(start, cursor)
        cursor = start + len(block.text)
        if block.kind is BlockKind.HEADING:
            heading = block.heading
            heading_terms = term_set(heading)
            previous_term = ""
            continue
        term = _defined_term(block)
        if _is_name(term) and _is_name(previous_term):  # `--separate-windows`, `--separate`
            term = f"{previous_term}, {term}"
        for offset, piece in _pieces(block):
            # Code keeps its indentation; prose is one line.
            code = block.kind is BlockKind.CODE
            flat = (piece.rstrip() if code else _WRAP.sub(" ", piece).strip())[:MAX_UNIT_CHARS]
            terms = term_set(flat)
            if terms:
                begin = start + offset
                if text[begin : begin + len(piece)] != piece:  # trimmed lines shift offsets
                    found = text.find(piece, start)
                    begin = found if found >= 0 else begin
                units.append(
                    Unit(label, begin, begin + len(piece), flat, block.kind, heading, terms,
                         heading_terms, number)
                )  # fmt: skip
        if term:  # heads what follows, as a definition term does
            heading, heading_terms = term, term_set(term)
        previous_term = term
    return tuple(units)


def _defined_term(block: Block) -> str:
    """The term a block defines, else empty: what follows is about it.

    A term is one short line: a paragraph without closing punctuation (a name a manual then
    describes), a one-line code block (an option set in a fixed-pitch font, `--max-ppsize=N`),
    or a word or two ending with ":" (`65534:` in a table of ids laid out as a list).
    """
    if block.kind is BlockKind.CODE:
        text = block.code.strip()
        one_name = "\n" not in text and len(text.split()) <= MAX_LABEL_WORDS
        return text if one_name and len(text) <= MAX_TERM_CHARS else ""
    text = block.text.strip()
    if block.kind is not BlockKind.PARAGRAPH or "\n" in text or len(text) > MAX_TERM_CHARS:
        return ""
    if text.endswith(":") and len(text.split()) <= MAX_LABEL_WORDS:
        return text[:-1].strip()
    return "" if text.endswith((".", "!", "?", ":", ";", ",")) else text


def _is_name(term: str) -> bool:
    """A term written as a name (an option, a call, a number), not as words."""
    return bool(term) and len(term.split()) == 1 and not term.isalpha()


def _pieces(block: Block) -> Iterator[tuple[int, str]]:
    """Offsets (within the block's text) and text of the block's quotable pieces."""
    if block.kind is BlockKind.CODE:
        position = block.text.find("\n") + 1
        for line in block.code.split("\n"):
            if line.strip():
                yield position, line
            position += len(line) + 1
        return
    if block.kind is not BlockKind.PARAGRAPH:
        yield 0, block.text
        return
    pending_start, pending = 0, ""
    for match in _SENTENCE.finditer(block.text):
        sentence = match.group()
        if not sentence.strip():
            continue
        if not pending:
            pending_start = match.start()
        pending += sentence
        if not _ABBREVIATION.search(pending.rstrip()):
            yield pending_start + _leading_space(pending), pending.strip()
            pending = ""
    if pending.strip():
        yield pending_start + _leading_space(pending), pending.strip()


def _leading_space(text: str) -> int:
    return len(text) - len(text.lstrip())


@dataclasses.dataclass(frozen=True, slots=True)
class Weights:
    """Question terms with their weights among a pool of units."""

    terms: dict[str, float]
    apart: Mapping[str, frozenset[str]] = dataclasses.field(default_factory=dict)
    """Compound terms of the question with their parts: a unit holding every part holds the
    compound spelled apart ("gzip compression" says `gzip-compressed`)."""

    @property
    def total(self) -> float:
        return sum(self.terms.values())

    def coverage(self, unit: Unit, *, besides: frozenset[str] = frozenset()) -> float:
        """The weighted share of the question's terms the unit (or its heading) holds; with
        `besides`, of those terms not among them (what the unit adds to units holding them)."""
        total = self.total
        if total <= 0:
            return 0.0
        found = 0.0
        for term, weight in self.terms.items():
            if term in besides:
                continue
            if self._holds(unit.terms, term):
                found += weight
            elif self._holds(unit.heading_terms, term):
                found += weight * HEADING_SHARE
        return found / total

    def held_by(self, unit: Unit) -> frozenset[str]:
        """The question's terms the unit or its heading holds."""
        return frozenset(
            t
            for t in self.terms
            if self._holds(unit.terms, t) or self._holds(unit.heading_terms, t)
        )

    def _holds(self, terms: frozenset[str], term: str) -> bool:
        if term in terms:
            return True
        parts = self.apart.get(term)
        return parts is not None and parts <= terms


def question_weights(question: str, pool: Sequence[Unit]) -> Weights:
    """The question's terms weighted by inverse frequency among `pool`'s units, a compound
    held by the units holding it whole or spelled apart."""
    apart = {
        term: frozenset(parts)
        for term, parts in compound_parts(question).items()
        if len(parts) > 1 and any(p.isalpha() for p in parts)  # "0.1" is no "0" and "1"
    }
    frequency: Counter[str] = Counter()
    for unit in pool:
        held = unit.terms | unit.heading_terms
        frequency.update(held)
        frequency.update(t for t, parts in apart.items() if t not in held and parts <= held)
    size = max(len(pool), 1)
    return Weights(
        {t: math.log(1 + size / max(frequency[t], 0.5)) for t in sorted(term_set(question))},
        apart,
    )


def corpus_weights(question: str, counts: Mapping[str, int], chunks: int) -> Weights:
    """The question's terms weighted by inverse frequency in the whole index: `counts` of the
    chunks holding each term (at most TERM_COUNT_CAP) out of `chunks`. A term no chunk holds
    weighs most: a question about something the documents never mention is not answered by
    passages that share its other words."""
    total = max(chunks, 1)
    return Weights(
        {
            t: math.log(1 + total / max(min(counts.get(t, 0), TERM_COUNT_CAP), 0.5))
            for t in sorted(term_set(question))
        }
    )


SMALL_TALK = term_set(
    "hi hello hey hiya howdy greetings thanks thank cheers bye goodbye ok okay please good"
    " morning afternoon evening night great cool nice yes yeah"
)
"""The words of a greeting, thanks or goodbye: a message of only these asks nothing."""


def is_small_talk(question: str) -> bool:
    """Whether `question` is only a greeting, thanks or goodbye ("hi", "hello there",
    "thanks!"): whatever passages share its words, there is nothing in it to look up."""
    asked = term_set(question)
    return bool(asked) and asked <= SMALL_TALK


def answerability_weights(question: str, counts: Mapping[str, int], chunks: int) -> Weights:
    """`corpus_weights` with each word the documents never use weighing up to
    UNKNOWN_WORD_FACTOR times more: what weighs whether the passages answer at all.

    A question naming something the documents never mention (a product, a place) is about
    that thing, however many of its other words the passages share. Numbers are left out (a
    version or a size the text does not spell the same way), and so is a compound whose parts
    the documents all use (`ready-made`). Small talk (`is_small_talk`) has no weights: no
    passage covers any of it.
    """
    if is_small_talk(question):
        return Weights({})
    weights = corpus_weights(question, counts, chunks).terms
    parts = compound_parts(question)
    factor = 1 + (UNKNOWN_WORD_FACTOR - 1) * min(chunks / UNKNOWN_WORD_EVIDENCE_CHUNKS, 1.0)

    def unknown(term: str) -> bool:
        if counts.get(term, 0) > 0 or not any(c.isalpha() for c in term):
            return False
        return not (term in parts and all(counts.get(p, 0) > 0 for p in parts[term]))

    return Weights({t: w * factor if unknown(t) else w for t, w in weights.items()})


def terms_coverage(weights: Weights, terms: frozenset[str]) -> float:
    """The weighted share of the question's terms among `terms`."""
    total = weights.total
    if total <= 0:
        return 0.0
    return sum(w for t, w in weights.terms.items() if t in terms) / total
