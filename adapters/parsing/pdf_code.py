"""Which lines of a PDF page are code, and the line numbers printed in front of listings.

The font tells best: code is set in a fixed-pitch font, prose is not. Where the font is not
known (pdfium's text), or every line is fixed-pitch (a typewritten page, an RFC), the text
has to tell: a prompt, a TeX command, a call, a brace; or on a line that does not read as
prose, a comment, an option, an assignment.
"""

from __future__ import annotations

import re

from askdocs.adapters.parsing.pdf_lines import Line

MONO_SHARE = 0.9
MIN_NUMBERED_RUN = 3
_PROMPT = re.compile(r"^(?:\$|>>>|\.\.\.) ")
_STRONG_SIGNS = re.compile(
    r"""
    ^\\[A-Za-z@_:]+                                # a TeX command first: \hbadness=1000
    | ^[\w.:$@\[\]]+\(.*\)\s*[;,{:]?(?:\s+(?:\#|//).*)?$  # a call alone: plot(x, y)
    | ^(?:def\s\w+\(|class\s\w+[(:]|\#include\b|\#define\b|\#!)
    | ^(?:import\s[\w.]+|from\s[\w.]+\simport\s[\w.*, ]+)$
    | ^[{}()\[\];]+$ | \{$ | \);$ | ^} | ^\{.*\}$ | \}\{   # braces and statement ends
    | ^⟨[^⟩]+⟩                                       # a docstrip guard: ⟨*driver⟩
    """,
    re.VERBOSE,
)
# Signs that prose shows too, now and then: they count only on lines that do not read as prose.
_WEAK_SIGNS = re.compile(
    r"""
    ^(?:%|\#)\s                                     # a comment: % \tracingonline=0
    | ^--?[A-Za-z][\w-]*(?:[\s=]|$)                  # an option: --verbose, -c
    | ^[\w.$@\[\]'"]+\s*(?:=|:=|\+=|-=|<-)\s*\S      # an assignment: x <- 1, key = value
    | \\[A-Za-z@_:]+[{\[]                             # a TeX command with an argument
    """,
    re.VERBOSE,
)
# A word of prose: letters, maybe an apostrophe, quotes or brackets around, a stop after.
_WORD = re.compile(r"^[(\u2018\u201c\"']?[A-Za-z][a-z\u2019']*[)\u2019\u201d\"']?[,.;:!?]?$")
_LINE_NUMBER = re.compile(r"^(\d{1,5})\s+(?=\S)")


def looks_like_code(text: str) -> bool:
    """Whether a line's text alone marks it as code or a command."""
    if _PROMPT.match(text) or _STRONG_SIGNS.search(text):
        return True
    return bool(_WEAK_SIGNS.search(text)) and not _reads_as_prose(text)


def is_code(line: Line, *, font_tells: bool) -> bool:
    """Whether `line` is code: by its font where that tells, else by its text."""
    if font_tells and line.mono is not None:
        return line.mono >= MONO_SHARE
    return looks_like_code(line.text)


def strip_line_numbers(lines: list[Line], *, font_tells: bool) -> tuple[list[Line], set[int]]:
    """`lines` with listing line numbers removed, and the positions of the lines that had one.

    A listing's numbers run on by one (1, 2, 3 or 315, 316, 317), with prose lines allowed in
    between; a run of `MIN_NUMBERED_RUN` or more is taken for one when most of its lines are
    code once their numbers are gone, which a table of contents' "1 Introduction" is not.
    """
    numbered = [
        (at, int(match.group(1)), match.end())
        for at, line in enumerate(lines)
        if (match := _LINE_NUMBER.match(line.text))
    ]
    stripped = list(lines)
    listing: set[int] = set()
    for run in _runs(numbered):
        rests = [lines[at].without_prefix(end) for at, _, end in run]
        # Either sign will do here: the numbers already say "listing".
        code = sum(
            is_code(rest, font_tells=font_tells) or looks_like_code(rest.text) for rest in rests
        )
        if len(run) >= MIN_NUMBERED_RUN and code * 2 >= len(run):
            for (at, _, _), rest in zip(run, rests, strict=True):
                stripped[at] = rest
                listing.add(at)
    return stripped, listing


def _runs(numbered: list[tuple[int, int, int]]) -> list[list[tuple[int, int, int]]]:
    runs: list[list[tuple[int, int, int]]] = []
    for entry in numbered:
        if runs and entry[1] == runs[-1][-1][1] + 1:
            runs[-1].append(entry)
        else:
            runs.append([entry])
    return runs


def _reads_as_prose(text: str) -> bool:
    words = text.split()
    return len(words) >= 5 and sum(bool(_WORD.match(w)) for w in words) >= 0.75 * len(words)
