"""What holds for every page of a PDF: how long a full line of prose is, the body's font size,
and whether fixed-pitch type marks code in it."""

from __future__ import annotations

import collections
import dataclasses

from askdocs.adapters.parsing.pdf_code import is_code
from askdocs.adapters.parsing.pdf_lines import Line

# A document more fixed-pitch than this is typewritten (an RFC, a printout): its font says
# nothing about which lines are code. A manual heavy with listings stays well below it.
MAX_MONO_SHARE = 0.9
# Below this many prose lines, or this many characters to a full line (slides, forms, tiny
# test files), there is no telling wrapping from line breaks, and lines are kept as they are.
MIN_PROSE_LINES = 10
MIN_REFLOW_WIDTH = 40
_FULL_LINE_PERCENTILE = 0.8


@dataclasses.dataclass(frozen=True, slots=True)
class Layout:
    """`width`: characters in a full line of prose, 0 when lines are not to be reflowed;
    `body_size`: the font size of most text, 0 when unknown; `font_tells`: whether a
    fixed-pitch font marks code."""

    width: int = 0
    body_size: float = 0.0
    font_tells: bool = False


def measure_layout(pages: list[list[Line]]) -> Layout:
    """The layout of a document from the lines of all its pages."""
    lines = [line for page in pages for line in page if line.text]
    hinted = [line for line in lines if line.mono is not None]
    mono_chars = sum(len(line.text) * (line.mono or 0.0) for line in hinted)
    hinted_chars = sum(len(line.text) for line in hinted)
    font_tells = bool(hinted_chars) and mono_chars < MAX_MONO_SHARE * hinted_chars
    sizes: collections.Counter[float] = collections.Counter()
    for line in lines:
        if line.size:
            sizes[line.size] += len(line.text)
    prose = sorted(len(line.text) for line in lines if not is_code(line, font_tells=font_tells))
    width = 0
    if len(prose) >= MIN_PROSE_LINES:
        full = prose[int(_FULL_LINE_PERCENTILE * (len(prose) - 1))]
        width = full if full >= MIN_REFLOW_WIDTH else 0
    body_size = sizes.most_common(1)[0][0] if sizes else 0.0
    return Layout(width=width, body_size=body_size, font_tells=font_tells)
