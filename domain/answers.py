"""Questions, retrieved passages, answers and the citations that tie them together."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import unicodedata
from collections.abc import Sequence

from askdocs.domain.conversations import Turn
from askdocs.domain.errors import InvalidQuestion

MAX_QUESTION_CHARS = 4000
APOLOGY = (
    "Sorry, I cannot answer right now because the answering service is unavailable. "
    "Please try again in a moment."
)
NO_ANSWER = "I could not find an answer to that in the uploaded documents."
NOT_ANSWERED = "The documents do not answer this question."
CLOSEST_SHOWN = 3


def clean_question(text: str, *, max_chars: int = MAX_QUESTION_CHARS) -> str:
    """The question with surrounding white space removed; empty or overlong ones are refused."""
    question = text.strip()
    if not question:
        raise InvalidQuestion("the question is empty")
    if len(question) > max_chars:
        raise InvalidQuestion(f"the question is longer than {max_chars} characters")
    return question


def normalise_question(question: str) -> str:
    """Case, Unicode form, white space and trailing punctuation do not change an answer."""
    text = unicodedata.normalize("NFKC", question).casefold()
    text = re.sub(r"\s+", " ", text).strip()
    return text.rstrip("?!. ")


@dataclasses.dataclass(frozen=True, slots=True)
class Passage:
    """A retrieved chunk with where it came from, as shown to the answerer and the user."""

    chunk_id: str
    document_id: str
    document: str
    version: int
    page: int | None
    text: str
    score: float
    tags: tuple[str, ...] = ()
    section: str = ""
    """The trail of headings the passage sits under, empty where its document has none."""
    quote: tuple[int, int] | None = None
    """Where the answer quotes this passage: `text[start:end]`; None when it does not."""


@dataclasses.dataclass(frozen=True, slots=True)
class Quote:
    """Text an answer quotes: `text[start:end]` of the passage labelled `label` (from 1)."""

    label: int
    start: int
    end: int


@dataclasses.dataclass(frozen=True, slots=True)
class Completion:
    """What a chat model produced: the text and the passage labels (1-based) it cited.

    `answered` is false when the model found that the passages do not answer the question;
    `quotes` say where a model that quotes (the extractive answerer) took its text from.
    """

    text: str
    cited: tuple[int, ...]
    model: str
    provider: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    answered: bool = True
    quotes: tuple[Quote, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class Answer:
    """The reply to a question, with the passages that support it."""

    text: str
    sources: tuple[Passage, ...]
    model: str
    provider: str
    cached: bool = False
    degraded: bool = False
    warnings: tuple[str, ...] = ()
    answered: bool = True
    """False when the documents do not answer the question: the text then says so."""


def declined(passages: Sequence[Passage], *, model: str, provider: str) -> Completion:
    """The completion saying the documents do not answer, citing the closest passages."""
    shown = passages[:CLOSEST_SHOWN]
    if not shown:
        return Completion(NOT_ANSWERED, (), model=model, provider=provider, answered=False)
    closest = "; ".join(f"{_place(p)} [{n}]" for n, p in enumerate(shown, start=1))
    return Completion(
        text=f"{NOT_ANSWERED} The closest passages: {closest}.",
        cited=tuple(range(1, len(shown) + 1)),
        model=model,
        provider=provider,
        answered=False,
    )


def _place(passage: Passage) -> str:
    return passage.document if passage.page is None else f"{passage.document}, p. {passage.page}"


def cited_passages(completion: Completion, retrieved: Sequence[Passage]) -> tuple[Passage, ...]:
    """Only citations that point at a passage actually retrieved survive, in citation order,
    each with the first place the completion quotes it from."""
    quotes: dict[int, tuple[int, int]] = {}
    for quoted in completion.quotes:
        quotes.setdefault(quoted.label, (quoted.start, quoted.end))
    kept: dict[int, Passage] = {}
    for label in completion.cited:
        if 1 <= label <= len(retrieved) and label not in kept:
            passage = retrieved[label - 1]
            span = quotes.get(label)
            if span is not None and 0 <= span[0] < span[1] <= len(passage.text):
                passage = dataclasses.replace(passage, quote=span)
            kept[label] = passage
    return tuple(kept.values())


_CITATION = re.compile(r"\s?\[(\d+)\]")


def with_sources(
    completion: Completion, retrieved: Sequence[Passage]
) -> tuple[str, tuple[Passage, ...]]:
    """The answer text with its citations renumbered to match the returned sources.

    A model cites passages by their position among those retrieved; the client sees only the
    cited ones, so `[3]` becomes `[1]` when it is the first source. Markers pointing at nothing
    retrieved are removed from the text.
    """
    sources = cited_passages(completion, retrieved)
    numbers = {
        label: position
        for position, label in enumerate(
            dict.fromkeys(c for c in completion.cited if 1 <= c <= len(retrieved)), start=1
        )
    }

    def renumber(match: re.Match[str]) -> str:
        number = numbers.get(int(match.group(1)))
        return f" [{number}]" if number is not None else ""

    return _CITATION.sub(renumber, completion.text).strip(), sources


def answer_fingerprint(
    *,
    question: str,
    model: str,
    tags: Sequence[str],
    top_k: int,
    history: Sequence[Turn],
    sampling: tuple[float | None, int | None] = (None, None),
) -> str:
    """A digest that differs whenever anything in the request that could change the answer
    differs; `answer_cache_key` adds the state of the corpus. `sampling` (temperature, max
    tokens) counts only when set, so a request without it keeps its earlier digest."""
    fields: dict[str, object] = {
        "q": normalise_question(question),
        "m": model,
        "t": sorted(set(tags)),
        "k": top_k,
        "h": [[t.question, t.answer] for t in history],
    }
    if sampling != (None, None):
        fields["s"] = list(sampling)
    material = json.dumps(
        fields,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def answer_cache_key(fingerprint: str, generation: int) -> str:
    """The key of an answer: its request's fingerprint under a corpus generation.

    The generation leads, so a cache can build the key from a generation it has just read
    (the Redis cache does it inside one script: keep the two forms alike).
    """
    return f"{generation}:{fingerprint}"
