"""DOCX: the text of a Word document's paragraphs and tables, read with python-docx.

A DOCX is a zip archive, so before python-docx inflates anything its central directory is
checked: a few kilobytes can declare gigabytes, and the reader would hold every part in memory.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from askdocs.adapters.parsing.decoding import tidy_lines
from askdocs.adapters.parsing.sections import section_pages
from askdocs.adapters.parsing.sniffing import DOCX
from askdocs.application.errors import UnprocessableDocument
from askdocs.application.ports.parsing import ParsedDocument

MAX_EXPANDED_MB = 256
# Word writes a few dozen parts, plus one per image; tens of thousands is no document.
MAX_MEMBERS = 10_000
# Word's XML deflates 10- to 40-fold; deflate itself cannot pass about 1030-fold, which only
# long runs of one repeated byte reach.
MAX_COMPRESSION_RATIO = 100
# Small parts are left alone: a few kilobytes cannot hurt, whatever their ratio.
_RATIO_CHECKED_ABOVE = 1024 * 1024
_MAIN_PART = "word/document.xml"
_CELL_SEPARATOR = " | "


def parse_docx(data: bytes, *, max_expanded_mb: int = MAX_EXPANDED_MB) -> ParsedDocument:
    """Sections of a Word document's text, paragraphs and table rows in document order.

    Headers, footers, footnotes, comments, text boxes and tracked insertions not yet accepted
    are not read.

    Raises:
        UnprocessableDocument: the archive is broken or bomb-like, expands past
            `max_expanded_mb`, is not a Word document, or holds no text.
    """
    _check_archive(data, max_expanded_mb=max_expanded_mb)
    pages = section_pages(tidy_lines("\n\n".join(_document_blocks(data))))
    if not pages:
        raise UnprocessableDocument("the DOCX holds no text")
    return ParsedDocument(media_type=DOCX, pages=pages, paginated=False)


def _check_archive(data: bytes, *, max_expanded_mb: int) -> None:
    """Refuse a DOCX from its zip central directory alone, before anything is inflated.

    The declared sizes can be trusted this far: Python's zipfile never returns more than a
    member's declared size, so a member that lies about it fails its CRC check instead.

    Raises:
        UnprocessableDocument: the zip is broken, has too many members, no main document,
            declares more than `max_expanded_mb` in all, or a member is inflated bomb-like.
    """
    members = _members(data)
    if len(members) > MAX_MEMBERS:
        raise UnprocessableDocument(
            f"the DOCX holds {len(members)} files, more than the {MAX_MEMBERS} allowed"
        )
    if _MAIN_PART not in {member.filename for member in members}:
        raise UnprocessableDocument(
            f"the zip archive has no {_MAIN_PART}, so it is not a Word document"
        )
    if sum(member.file_size for member in members) > max_expanded_mb * 1024 * 1024:
        raise UnprocessableDocument(f"the DOCX expands to more than {max_expanded_mb} MB")
    if any(_is_bomb_like(member) for member in members):
        raise UnprocessableDocument(
            "the DOCX looks like a zip bomb: a part inflates more than "
            f"{MAX_COMPRESSION_RATIO} times its compressed size"
        )


def _members(data: bytes) -> list[zipfile.ZipInfo]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.infolist()
    except MemoryError:
        raise
    # Broad on purpose: zipfile raises BadZipFile, but also OSError, ValueError or EOFError
    # on some corrupt directories, and each one means a broken file.
    except Exception as exc:
        raise UnprocessableDocument(
            f"the DOCX is not a readable zip archive: {_reason(exc)}"
        ) from exc


def _is_bomb_like(member: zipfile.ZipInfo) -> bool:
    return (
        member.file_size > _RATIO_CHECKED_ABOVE
        and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)
    )


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
    for item in items:
        yield item.text if isinstance(item, Paragraph) else _table_text(item)


def _table_text(table: Table) -> str:
    """One line per row, cells separated by a bar; a nested table joins its cell's line."""
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            # A horizontally merged cell is listed once for every grid column it spans.
            if cell is previous:
                continue
            previous = cell
            cells.append(" ".join(" ".join(_blocks(cell.iter_inner_content())).split()))
        if any(cells):
            rows.append(_CELL_SEPARATOR.join(cells))
    return "\n".join(rows)


def _reason(exc: Exception) -> str:
    return str(exc) or type(exc).__name__
