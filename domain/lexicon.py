"""The terms text is searched by: words lightly stemmed, identifiers whole and by their parts.

Technical documents are looked up by names as often as by words: `capture_output`,
`\\headrulewidth`, `wal_level`, `os.path.join`, `getLogger`. Such a name is one term as written
(lower-cased, without a leading backslash or dashes) and also each of its parts, so
"capture output" finds `capture_output` and `capture_output` finds it exactly. Plain words are
stemmed by a few suffix rules ("sorting", "sorted" and "sorts" meet at "sort"); stop words
are not terms. Every index and ranker uses this one function, so the embedded and the
PostgreSQL index match the same terms.
"""

from __future__ import annotations

import functools
import itertools
import re

_APOSTROPHES = "'\u2019"  # typed, and typeset
# A word with a contraction's ending is one token ("What's", "don't", "we'll"), the ending
# then cut off: it is no term ("s" would match every plural's stem).
_TOKEN = re.compile(rf"\w+(?:[._:\-]\w+)*(?:[{_APOSTROPHES}](?i:s|t|re|ll|ve|d|m)\b)?")
_CONTRACTION = re.compile(rf"(?i:n[{_APOSTROPHES}]t|[{_APOSTROPHES}]\w+)$")
_CAMEL_PART = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_SEPARATORS = re.compile(r"[._:\-]+")
STOPWORDS = frozenset(
    """a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers him his how i if in into is it its itself just me more
    most my no nor not now of off on once only or other our out over own same she should so some
    such than that the their them then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your""".split()  # noqa: SIM905 - a word list reads better as prose
)
_MAX_TERM_CHARS = 64
LEXICON_VERSION = 2
"""Which rules made the terms an index stores: stored terms made by an earlier version are
made again (`adapters.index.pg_term_refresh`), or old rows would miss new questions."""
# Derivational endings, longest first, each with what replaces it.
_DERIVATIONS = (("ically", "ic"), ("ical", "ic"), ("ly", ""), ("ation", ""), ("ion", ""),
                ("ive", ""))  # fmt: skip


def terms(text: str) -> list[str]:
    """The search terms of `text`, in order; an identifier's parts follow it."""
    # findall and chain keep the per-token work in C: this runs over every candidate passage
    # of every question.
    return list(itertools.chain.from_iterable(map(_token_terms, _TOKEN.findall(text))))


def term_set(text: str) -> frozenset[str]:
    """The distinct search terms of `text`."""
    return frozenset(terms(text))


def compound_parts(text: str) -> dict[str, tuple[str, ...]]:
    """Each compound term of `text` (`ready-made`, `getLogger`) with the terms of its parts."""
    found: dict[str, tuple[str, ...]] = {}
    for token in _TOKEN.findall(text):
        whole, *parts = _token_terms(token) or ("",)
        if parts:
            found[whole] = tuple(parts)
    return found


@functools.lru_cache(maxsize=131072)
def _token_terms(token: str) -> tuple[str, ...]:
    if "'" in token or "\u2019" in token:
        token = _CONTRACTION.sub("", token)
        if not token:
            return ()
    lowered = token.casefold()[:_MAX_TERM_CHARS]
    compound = _SEPARATORS.search(token) is not None or _is_camel(token)
    if not compound:
        return () if lowered in STOPWORDS else (stem(lowered),)
    found = [lowered]
    for piece in _SEPARATORS.split(token):
        if _is_camel(piece):
            found.append(piece.casefold())
            found.extend(_plain(p.casefold()) for p in _CAMEL_PART.findall(piece))
        elif piece:
            found.append(_plain(piece.casefold()))
    return tuple(dict.fromkeys(t for t in found if t))


def _plain(word: str) -> str:
    return "" if word in STOPWORDS else stem(word)


def _is_camel(token: str) -> bool:
    """`getLogger`: a lower-case letter then a capital inside one word (not `Python`)."""
    return any(a.islower() and b.isupper() for a, b in itertools.pairwise(token))


def stem(word: str) -> str:
    """A light English stem: plurals, -ing, -ed and a final -e go, so forms of a word meet.

    Only alphabetic words are stemmed; names with digits or underscores are kept as written.
    """
    if not word.isalpha() or len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # running -> run, but install -> install
            break
    word = _underived(word)
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def _underived(word: str) -> str:
    """`word` without the endings that derive one word from another ("recursively",
    "recursive", "recursion"; "compression"; "automatically"), kept to at least four letters.

    Questions paraphrase: "deletes automatically" asks what "automatic deletion" says.
    """
    for _ in range(2):  # "interactively": -ly, then -ive
        for ending, replacement in _DERIVATIONS:
            root = word[: len(word) - len(ending)]
            if word.endswith(ending) and len(root) >= 4 and (ending != "ion" or root[-1] in "st"):
                word = root + replacement
                break
        else:
            return word
    return word
