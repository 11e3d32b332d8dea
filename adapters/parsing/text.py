"""Plain text and markdown: decoded and cut into sections, as they have no pages."""

from __future__ import annotations

from askdocs.adapters.parsing.decoding import decode_text, trim_lines
from askdocs.adapters.parsing.sections import section_pages
from askdocs.application.errors import UnprocessableDocument
from askdocs.application.ports.parsing import ParsedDocument


def parse_text(data: bytes, media_type: str) -> ParsedDocument:
    """Sections of a text file as unpaginated pages; markdown is kept as written.

    Raises:
        UnprocessableDocument: the bytes are not UTF-8 or UTF-16 text, or hold no text.
    """
    text = decode_text(data)
    if text is None:
        raise UnprocessableDocument(
            "the file is not text in UTF-8, or UTF-16 with a byte order mark"
        )
    # Indentation is kept: in markdown it marks code blocks and nested lists.
    pages = section_pages(trim_lines(text))
    if not pages:
        raise UnprocessableDocument("the file is empty")
    return ParsedDocument(media_type=media_type, pages=pages, paginated=False)
