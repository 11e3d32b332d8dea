"""The structure of page text: headings, paragraphs, list items, table rows and code blocks.

Parsers write page text as light Markdown (docs/architecture.md, "Page text"): blank lines
between paragraphs, `#` headings, ``` fences around code, `- ` or `1. ` list items, `|` table
rows. Chunking cuts between these blocks, never inside a code block or a table row, and
answers quote them whole; plain text without such marks is simply paragraphs.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Iterator

_HEADING = re.compile(r"^(#{1,6})[ \t]+(\S.*?)[ \t#]*$")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+\u2022]|\d{1,3}[.)])[ \t]+\S")
_TABLE_ROW = re.compile(r"^[ \t]*\|.*\|[ \t]*$")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")


class BlockKind(enum.StrEnum):
    """What a block is, which decides how it may be cut and quoted."""

    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    TABLE_ROW = "table_row"
    CODE = "code"


@dataclasses.dataclass(frozen=True, slots=True)
class Block:
    """One block of page text, as written (a code block with its fences).

    `level` is a heading's depth (1 for `#`), 0 for other blocks.
    """

    kind: BlockKind
    text: str
    level: int = 0

    @property
    def heading(self) -> str:
        """A heading's words without its `#` marks; empty for other blocks."""
        match = _HEADING.match(self.text) if self.kind is BlockKind.HEADING else None
        return match.group(2) if match else ""

    @property
    def code(self) -> str:
        """A code block's lines without its fences; the text itself for other blocks."""
        if self.kind is not BlockKind.CODE:
            return self.text
        lines = self.text.split("\n")
        inner = lines[1:-1] if len(lines) > 1 and _FENCE.match(lines[-1]) else lines[1:]
        return "\n".join(inner)


def parse_blocks(text: str) -> list[Block]:
    """The blocks of `text`, in order; blank lines and unmarked lines make paragraphs."""
    return list(_blocks(text.split("\n")))


def _blocks(lines: list[str]) -> Iterator[Block]:
    paragraph: list[str] = []
    position = 0

    def pending() -> Iterator[Block]:
        if paragraph:
            yield Block(BlockKind.PARAGRAPH, "\n".join(paragraph))
            paragraph.clear()

    while position < len(lines):
        line = lines[position]
        position += 1
        fence = _FENCE.match(line)
        if fence:
            yield from pending()
            end = _closing_fence(lines, position, fence.group(1))
            yield Block(BlockKind.CODE, "\n".join(lines[position - 1 : end + 1]))
            position = end + 1
            continue
        if not line.strip():
            yield from pending()
            continue
        heading = _HEADING.match(line)
        if heading:
            yield from pending()
            yield Block(BlockKind.HEADING, line.strip(), level=len(heading.group(1)))
        elif _TABLE_ROW.match(line):
            yield from pending()
            yield Block(BlockKind.TABLE_ROW, line.strip())
        elif _LIST_ITEM.match(line):
            yield from pending()
            paragraph.append(line.strip())
            # An item goes on over the lines after it until a blank line or another mark.
            while position < len(lines) and _continues_item(lines[position]):
                paragraph.append(lines[position].strip())
                position += 1
            yield Block(BlockKind.LIST_ITEM, "\n".join(paragraph))
            paragraph.clear()
        else:
            paragraph.append(line.rstrip())
    yield from pending()


def _continues_item(line: str) -> bool:
    return (
        bool(line.strip())
        and not (_LIST_ITEM.match(line) or _HEADING.match(line) or _TABLE_ROW.match(line))
        and not _FENCE.match(line)
    )


def _closing_fence(lines: list[str], start: int, marker: str) -> int:
    """The index of the line closing a fence opened before `start`, else the last line."""
    for index in range(start, len(lines)):
        if lines[index].strip().startswith(marker) and not lines[index].strip()[3:].strip():
            return index
    return len(lines) - 1
