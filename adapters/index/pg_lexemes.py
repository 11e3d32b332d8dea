"""askdocs' own search terms in PostgreSQL's tsvector text form.

The full-text column holds the terms of `askdocs.domain.lexicon`, not PostgreSQL's English
ones, so both indexes match a question by the same terms. A chunk's section terms come first,
weighted A (`ts_rank` counts them more); its text's terms follow, with their positions.
"""

from __future__ import annotations

from collections import defaultdict

from askdocs.domain.lexicon import terms

MAX_POSITION = 16383  # PostgreSQL's largest tsvector position
MAX_POSITIONS = 255  # positions kept per lexeme (PostgreSQL keeps at most 256)


def tsvector_literal(text: str, section: str = "") -> str:
    """The tsvector, as text PostgreSQL casts, of a chunk's `text` under `section`."""
    positions: defaultdict[str, list[str]] = defaultdict(list)
    position = 0
    for weight, source in (("A", section), ("", text)):
        for term in terms(source):
            position = min(position + 1, MAX_POSITION)
            kept = positions[term]
            if len(kept) < MAX_POSITIONS:
                kept.append(f"{position}{weight}")
    return " ".join(f"{quoted(term)}:{','.join(at)}" for term, at in positions.items())


def query_terms(question: str) -> list[str]:
    """The distinct terms of a question, in order: what the full-text leg looks for."""
    return list(dict.fromkeys(terms(question)))


def quoted(term: str) -> str:
    """`term` as a tsvector or tsquery lexeme, quoted."""
    # Lexicon terms are word characters and . _ : -, but quote as PostgreSQL would anyway.
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"
