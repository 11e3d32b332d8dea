"""The light Markdown every reader writes page text in, so structure survives into chunking.

Paragraphs are separated by one blank line; a heading is one line of `#` marks and text; a
code block is fenced by lines of exactly ```; a list item starts with `- ` or `1. `; a table
row is one line `| cell | cell |`. Consecutive one-line list items and table rows are kept
on consecutive lines, as Markdown writes them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FENCE = "```"
MAX_HEADING_LEVEL = 6
_SPACE = re.compile(r"\s+")
_LIST_ITEM = re.compile(r"^[ \t]*(?:- |\d{1,3}\. )")


def one_line(text: str) -> str:
    """`text` with every run of white space, line breaks included, made one space."""
    return _SPACE.sub(" ", text).strip()


def heading(level: int, text: str) -> str:
    """A heading line of depth `level` (1 for `#`), deeper levels written as the deepest."""
    words = one_line(text)
    return f"{'#' * min(max(level, 1), MAX_HEADING_LEVEL)} {words}" if words else ""


def code_block(lines: Iterable[str]) -> str:
    """`lines` fenced verbatim, right-trimmed; blank lines at either end are left out."""
    kept = [line.rstrip() for line in lines]
    while kept and not kept[0]:
        kept.pop(0)
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join([FENCE, *kept, FENCE]) if kept else ""


def list_item(text: str, *, marker: str = "-", depth: int = 0) -> str:
    """One list item on one line; a nested item is indented two spaces a level."""
    words = one_line(text)
    return f"{'  ' * depth}{marker} {words}" if words else ""


def table_row(cells: Iterable[str]) -> str:
    """One table row; a bar inside a cell is escaped so that it does not split the cell."""
    texts = [one_line(cell).replace("|", "\\|") for cell in cells]
    return f"| {' | '.join(texts)} |" if any(texts) else ""


def join_blocks(blocks: Iterable[str]) -> str:
    """Blocks separated by a blank line, but list items and table rows by a line break."""
    out: list[str] = []
    previous = ""
    for block in blocks:
        if not block:
            continue
        if out:
            out.append("\n" if _same_run(previous, block) else "\n\n")
        out.append(block)
        previous = block
    return "".join(out)


def _same_run(previous: str, block: str) -> bool:
    """Whether two one-line blocks are rows of one table or items of one list.

    A block of several lines is a whole table or list already, and stays apart from the next.
    """
    if "\n" in previous or "\n" in block:
        return False
    if block.startswith("|") and previous.startswith("|"):
        return True
    return bool(_LIST_ITEM.match(block) and _LIST_ITEM.match(previous))
