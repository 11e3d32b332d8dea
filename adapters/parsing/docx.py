"""DOCX: a Word document's paragraphs and tables as page Markdown, read with python-docx.

Headings ("Title", "Heading N" styles) become `#` lines, list paragraphs `- ` items, code
styles fenced blocks and tables `|` rows. The archive is checked before anything is inflated
(docx_archive.py).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from askdocs.adapters.parsing.decoding import tidy_lines, unify_newlines
from askdocs.adapters.parsing.docx_archive import MAX_EXPANDED_MB, check_archive
from askdocs.adapters.parsing.page_markdown import (
    code_block,
    heading,
    join_blocks,
    list_item,
    table_row,
)
from askdocs.adapters.parsing.sections import section_pages
from askdocs.adapters.parsing.sniffing import DOCX
from askdocs.application.errors import UnprocessableDocument
from askdocs.application.ports.parsing import ParsedDocument

_HEADING_STYLE = re.compile(r"^(?:Heading (\d)|Title)$")
# "List Bullet 2", "List Number", "List Paragraph"; not "List Continue", which has no mark.
_LIST_STYLE = re.compile(r"^List (?:Bullet|Number|Paragraph)(?: (\d))?$")
_CODE_STYLES = frozenset({"Code", "Source Code", "HTML Preformatted", "Macro Text", "Plain Text"})


def parse_docx(data: bytes, *, max_expanded_mb: int = MAX_EXPANDED_MB) -> ParsedDocument:
    """Sections of a Word document's text, paragraphs and table rows in document order.

    Headers, footers, footnotes, comments, text boxes and tracked insertions not yet accepted
    are not read.

    Raises:
        UnprocessableDocument: the archive is broken or bomb-like, expands past
            `max_expanded_mb`, is not a Word document, or holds no text.
    """
    check_archive(data, max_expanded_mb=max_expanded_mb)
    pages = section_pages(join_blocks(_document_blocks(data)))
    if not pages:
        raise UnprocessableDocument("the DOCX holds no text")
    return ParsedDocument(media_type=DOCX, pages=pages, paginated=False)


def _document_blocks(data: bytes) -> list[str]:
    try:
        return list(_blocks(docx.Document(io.BytesIO(data)).iter_inner_content()))
    except MemoryError:
        raise
    # Broad on purpose, as for PDFs: python-docx passes on whatever zipfile, lxml or its own
    # part lookup raise (BadZipFile, XMLSyntaxError, KeyError, ValueError...), each a broken file.
    except Exception as exc:
        raise UnprocessableDocument(f"the DOCX cannot be read: {_reason(exc)}") from exc


def _blocks(items: Iterable[Paragraph | Table]) -> Iterator[str]:
    code: list[str] = []
    for item in items:
        style = _style_name(item)
        if isinstance(item, Paragraph) and style in _CODE_STYLES:
            code.append(unify_newlines(item.text))
            continue
        if code:
            yield code_block("\n".join(code).split("\n"))
            code = []
        yield _paragraph_text(item, style) if isinstance(item, Paragraph) else _table_rows(item)
    if code:
        yield code_block("\n".join(code).split("\n"))


def _paragraph_text(paragraph: Paragraph, style: str) -> str:
    if match := _HEADING_STYLE.match(style):
        return heading(int(match.group(1) or 1), paragraph.text)
    if depth := _list_depth(paragraph, style):
        return list_item(paragraph.text, depth=depth - 1)
    return tidy_lines(paragraph.text)


def _list_depth(paragraph: Paragraph, style: str) -> int:
    """1 for a top-level list paragraph, more for nested ones, 0 for any other paragraph."""
    if match := _LIST_STYLE.match(style):
        return int(match.group(1) or 1)
    properties = paragraph._p.pPr  # python-docx has no public view of a paragraph's numbering
    numbering: Any = properties.numPr if properties is not None else None
    if numbering is None:
        return 0
    return 1 + (numbering.ilvl.val if numbering.ilvl is not None else 0)


def _style_name(item: Paragraph | Table) -> str:
    style = item.style if isinstance(item, Paragraph) else None
    return (style.name or "") if style is not None else ""


def _table_rows(table: Table) -> str:
    """One `|` row per table row; a nested table's cells join its cell's row."""
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            # A horizontally merged cell is listed once for every grid column it spans.
            if cell is previous:
                continue
            previous = cell
            cells.extend(_cell_texts(cell.iter_inner_content()))
        rows.append(table_row(cells))
    return "\n".join(row for row in rows if row)


def _cell_texts(items: Iterable[Paragraph | Table]) -> list[str]:
    """A cell's paragraphs as one text, followed by the cells of the tables nested in it."""
    paragraphs: list[str] = []
    nested: list[str] = []
    for item in items:
        if isinstance(item, Paragraph):
            paragraphs.append(item.text)
        else:
            for row in item.rows:
                nested.extend(
                    text for cell in row.cells for text in _cell_texts(cell.iter_inner_content())
                )
    texts = [" ".join(" ".join(paragraphs).split()), *nested]
    return [text for text in texts if text] or [""]


def _reason(exc: Exception) -> str:
    return str(exc) or type(exc).__name__
