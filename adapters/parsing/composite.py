"""ContentSniffingParser: the DocumentParser that picks a format reader by the bytes' type."""

from __future__ import annotations

from askdocs.adapters.parsing.docx import parse_docx
from askdocs.adapters.parsing.html import parse_html
from askdocs.adapters.parsing.pdf import parse_pdf
from askdocs.adapters.parsing.sniffing import (
    DOCX,
    HTML,
    MARKDOWN,
    PDF,
    PLAIN_TEXT,
    sniff_media_type,
)
from askdocs.adapters.parsing.text import parse_text
from askdocs.application.errors import UnsupportedMediaType
from askdocs.application.ports.parsing import ParsedDocument

SUPPORTED_MEDIA_TYPES = (PDF, DOCX, HTML, MARKDOWN, PLAIN_TEXT)


class ContentSniffingParser:
    """Reads PDF, DOCX, HTML, markdown and plain text, typed from the content, in the caller.

    PDFs keep one page per PDF page, empty ones included, so numbers match the file; DOCX,
    HTML and text are cut into sections at paragraph breaks and marked unpaginated.

    It parses synchronously and without limits on time or memory: `IsolatedParser` and
    `InlineParser` wrap it as the asynchronous DocumentParser.

    Raises:
        UnsupportedMediaType: the bytes, or the media type asked for, are not one of these.
        UnprocessableDocument: the file is empty, broken, encrypted, bomb-like or holds no
            text.
    """

    def sniff(self, data: bytes, *, filename: str | None = None) -> str:
        """The media type of `data`, judged from the bytes; the name only marks markdown."""
        return sniff_media_type(data, filename=filename)

    def parse(self, data: bytes, media_type: str) -> ParsedDocument:
        """The document's pages, numbered from 1."""
        kind = media_type.partition(";")[0].strip().lower()
        if kind == PDF:
            return parse_pdf(data)
        if kind == DOCX:
            return parse_docx(data)
        if kind == HTML:
            return parse_html(data)
        if kind in (MARKDOWN, PLAIN_TEXT):
            return parse_text(data, kind)
        raise UnsupportedMediaType(f"askdocs does not read {media_type!r} files")
