"""ExtractiveChatModel: answers without an LLM by quoting the best-matching sentences."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import AsyncIterator

from askdocs.application.ports import ChatRequest, Delta, StreamEvent
from askdocs.domain.answers import NO_ANSWER, Completion

_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(
    r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])"  # end of a sentence
    r"|\n\s*\n"  # a blank line
    r"|\s*[\u2022\u2023\u25aa\u25e6\u2043]\s*"  # a bullet starts a new item
)
_STOPWORDS = frozenset(
    """a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers him his how i if in into is it its itself just me more
    most my no nor not now of off on once only or other our out over own same she should so some
    such than that the their them then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your""".split()  # noqa: SIM905 - a word list reads better as prose
)
MAX_SENTENCES = 3
MIN_RELATIVE_SCORE = 0.6
MAX_SENTENCE_CHARS = 600


_SUFFIXES = ("ing", "ed", "es", "s")


def _stem(word: str) -> str:
    """A light suffix strip, so "rows" meets "row" and "boiling" meets "boil"."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _terms(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(text.casefold()) if w not in _STOPWORDS]


def _sentences(text: str) -> list[str]:
    flattened = re.sub(r"(?<!\n)\n(?!\n)", " ", text)
    parts = (re.sub(r"\s+", " ", s).strip() for s in _SENTENCE_END.split(flattened))
    return [p[:MAX_SENTENCE_CHARS] for p in parts if len(_WORD.findall(p)) >= 3]


class ExtractiveChatModel:
    """Quotes the sentences of the passages that share the most (rare) words with the question.

    Scoring is IDF-weighted term overlap within the retrieved sentences, so a rare question word
    counts for more than a common one; each quoted sentence cites its passage as `[n]`.
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
        candidates = [
            (label, sentence)
            for label, passage in enumerate(request.passages, start=1)
            for sentence in _sentences(passage.text)
        ]
        question_terms = set(_terms(request.question))
        sentence_terms = [set(_terms(sentence)) for _, sentence in candidates]
        document_frequency = Counter(t for terms in sentence_terms for t in terms)
        total = len(candidates)

        def score(index: int) -> float:
            shared = question_terms & sentence_terms[index]
            weight = sum(math.log(1 + total / document_frequency[t]) for t in shared)
            # A small bonus for passages the retriever ranked higher breaks ties sensibly.
            return weight / math.sqrt(1 + len(sentence_terms[index])) + 0.01 / candidates[index][0]

        ranked = sorted(range(total), key=score, reverse=True)
        best = score(ranked[0]) if ranked else 0.0
        if best < 0.05:
            return Completion(NO_ANSWER, (), model=self._model, provider=self.name)
        chosen = _distinct(
            [i for i in ranked if score(i) >= best * MIN_RELATIVE_SCORE],
            [sentence for _, sentence in candidates],
        )[:MAX_SENTENCES]
        text = " ".join(f"{candidates[i][1]} [{candidates[i][0]}]" for i in chosen)
        cited = tuple(dict.fromkeys(candidates[i][0] for i in chosen))
        return Completion(text=text, cited=cited, model=self._model, provider=self.name)


def _distinct(order: list[int], sentences: list[str]) -> list[int]:
    """Drop sentences already said: overlapping chunks repeat text, sometimes cut short."""
    kept: list[int] = []
    for index in order:
        text = sentences[index]
        if any(text in sentences[k] or sentences[k] in text for k in kept):
            longer = [k for k in kept if sentences[k] in text]
            if longer and len(text) > len(sentences[longer[0]]):
                kept[kept.index(longer[0])] = index
            continue
        kept.append(index)
    return kept
