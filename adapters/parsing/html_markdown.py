"""An HTML page's readable text as page Markdown: headings, code blocks, list items, table rows.

Header-link anchors that Sphinx, MkDocs and their kin put after every heading and definition
(`¶`, `#`, `§`, `🔗`) are dropped: quoted in an answer, they are noise in the middle of a name.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from askdocs.adapters.parsing.decoding import unify_newlines
from askdocs.adapters.parsing.page_markdown import (
    code_block,
    heading,
    join_blocks,
    list_item,
    one_line,
    table_row,
)

# Not <head>: pages that never close it are common, and its other content is hidden anyway.
_HIDDEN = frozenset({"script", "style", "noscript", "template", "svg", "object"})
_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "caption", "dd", "details", "dl", "div",
        "dt", "fieldset", "figcaption", "figure", "footer", "form", "header", "hr", "main",
        "nav", "option", "p", "section", "summary",
    }
)  # fmt: skip
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_LISTS = frozenset({"ul", "ol"})
_CELLS = frozenset({"td", "th"})
# Inside a table cell, where every block is written on the row's one line.
_BREAKS_IN_CELL = _BLOCKS | _HEADINGS.keys() | _LISTS | _CELLS | {"li", "pre", "tr"}
_LINK_GLYPHS = frozenset({"¶", "#", "§", "🔗"})
_PILCROW = "¶"
_SPACE = re.compile(r"\s+")
_HEADER_LINK, _SELF_LINK, _OTHER_LINK = "header", "self", "other"
# A row longer than this is a page laid out with a table, not data: its cells become paragraphs.
_MAX_ROW_CHARS = 1000


class MarkdownWriter(HTMLParser):
    """Feed it markup; `title` and `blocks` then hold the page's text as page Markdown."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] = []
        self.blocks: list[str] = []
        self._text: list[str] = []
        self._pre: list[str] = []
        self._cell: list[str] | None = None
        self._cells: list[str] | None = None
        self._hidden = self._pre_depth = self._heading = self._tables = 0
        self._section_level = 1
        self._in_title = False
        self._lists: list[int | None] = []  # per open list: the next number, None if bulleted
        self._list_starts_at = self._table_starts_at = 0  # where the open one's blocks begin
        self._item: tuple[str, int] | None = None  # marker and depth of an item yet to be written
        # Per open <a>: where its text goes, where that text starts, and what kind of link it is.
        self._anchors: list[tuple[list[str], int, str]] = []

    def markdown(self) -> str:
        """The page Markdown of everything fed, elements left open closed."""
        self._end_row()
        if self._pre_depth:
            self._write_code()
        self._flush()
        return join_blocks(self.blocks)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title" and not self._hidden:
            self._in_title = True
        elif tag in _HIDDEN:
            self._hidden += 1
        elif self._hidden:
            return
        elif tag == "a":
            self._open_anchor(dict(attrs))
        elif tag == "table":
            self._tables += 1
            if self._tables == 1:
                self._flush()
                self._table_starts_at = len(self.blocks)
        elif self._tables and self._in_table_structure(tag, opening=True):
            return
        elif tag == "br":
            self._sink().append("\n" if self._cell is None else " ")
        elif tag == "pre":
            self._flush()
            self._pre_depth += 1
        elif tag in _HEADINGS:
            self._flush()
            self._heading = self._section_level = _HEADINGS[tag]
        elif tag == "dt":
            # A definition term heads its definition: an API entry's signature says what the
            # sentences under it are about ("Remove any common leading whitespace ...").
            self._flush()
            self._heading = min(self._section_level + 1, 6)
        elif tag in _LISTS:
            self._flush()
            if not self._lists:
                self._list_starts_at = len(self.blocks)
            self._lists.append(_first_number(attrs) if tag == "ol" else None)
        elif tag == "li":
            self._flush()
            self._item = (self._next_marker(), max(len(self._lists) - 1, 0))
        elif tag in _BLOCKS:
            self._flush()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and not self._hidden:
            self._sink().append("\n" if self._cell is None else " ")
        elif tag in _BLOCKS and not self._hidden and self._cell is None:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in _HIDDEN:
            self._hidden = max(self._hidden - 1, 0)
        elif self._hidden:
            return
        elif tag == "a":
            self._close_anchor()
        elif tag == "table":
            if self._tables == 1:
                self._end_row()
                self._merge_blocks_since(self._table_starts_at)
            self._tables = max(self._tables - 1, 0)
        elif self._tables and self._in_table_structure(tag, opening=False):
            return
        elif tag == "pre":
            self._pre_depth = max(self._pre_depth - 1, 0)
            if not self._pre_depth:
                self._write_code()
        elif tag in _HEADINGS or tag == "dt":
            self._flush()
            self._heading = 0
        elif tag == "li":
            self._flush()
            self._item = None  # an item without text gives its marker to nothing after it
        elif tag in _BLOCKS:
            self._flush()
        elif tag in _LISTS:
            self._flush()
            if self._lists:
                self._lists.pop()
                if not self._lists:
                    self._merge_blocks_since(self._list_starts_at)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._hidden:
            # Source line breaks are layout outside <pre> and content inside it.
            self._sink().append(data if self._pre_depth else _SPACE.sub(" ", data))

    def _merge_blocks_since(self, start: int) -> None:
        """One block for a whole list or table, so that it stays apart from the next one."""
        self.blocks[start:] = [join_blocks(self.blocks[start:])]

    def _sink(self) -> list[str]:
        if self._cell is not None:
            return self._cell
        return self._pre if self._pre_depth else self._text

    def _in_table_structure(self, tag: str, *, opening: bool) -> bool:
        """Read a tag inside a table: rows and cells of the outermost one, the rest as spaces."""
        if self._tables == 1 and tag == "tr":
            self._end_row()
            self._cells = [] if opening else None
        elif self._tables == 1 and tag in _CELLS and self._cells is not None:
            if self._cell is not None:
                self._cells.append("".join(self._cell))
            self._cell = [] if opening else None
        elif self._cell is not None and tag in _BREAKS_IN_CELL:
            self._cell.append(" ")
        else:
            return False
        return True

    def _end_row(self) -> None:
        if self._cells is None:
            return
        if self._cell is not None:
            self._cells.append("".join(self._cell))
            self._cell = None
        if sum(len(cell) for cell in self._cells) > _MAX_ROW_CHARS:
            self.blocks.extend(one_line(cell) for cell in self._cells)
        else:
            self.blocks.append(table_row(cell.replace(_PILCROW, "") for cell in self._cells))
        self._cells = None

    def _open_anchor(self, attrs: dict[str, str | None]) -> None:
        if "headerlink" in (attrs.get("class") or "").split():
            kind = _HEADER_LINK
        elif (attrs.get("href") or "").startswith("#"):
            kind = _SELF_LINK
        else:
            kind = _OTHER_LINK
        sink = self._sink()
        self._anchors.append((sink, len(sink), kind))

    def _close_anchor(self) -> None:
        if not self._anchors:
            return
        sink, start, kind = self._anchors.pop()
        if kind == _HEADER_LINK or (
            kind == _SELF_LINK and "".join(sink[start:]).strip() in _LINK_GLYPHS
        ):
            del sink[start:]

    def _next_marker(self) -> str:
        number = self._lists[-1] if self._lists else None
        if number is None:
            return "-"
        self._lists[-1] = number + 1
        return f"{number}."

    def _write_code(self) -> None:
        text = unify_newlines("".join(self._pre))
        self._pre = []
        # A newline right after <pre> is not content (HTML's parsing rules drop it).
        self.blocks.append(code_block(text.removeprefix("\n").split("\n")))

    def _flush(self) -> None:
        text = "".join(self._text).replace(_PILCROW, "")
        self._text = []
        if self._heading:
            self.blocks.append(heading(self._heading, text))
        elif self._item is not None and text.strip():
            marker, depth = self._item
            self.blocks.append(list_item(text, marker=marker, depth=depth))
            self._item = None
        else:
            lines = (one_line(line) for line in text.split("\n"))
            self.blocks.append("\n".join(line for line in lines if line))


def _first_number(attrs: list[tuple[str, str | None]]) -> int:
    start = dict(attrs).get("start") or "1"
    return int(start) if start.isdigit() else 1
