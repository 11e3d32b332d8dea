"""HTML: the readable text of a page as page Markdown, cut into sections like plain text."""

from __future__ import annotations

from askdocs.adapters.parsing.decoding import decode_text, unify_newlines
from askdocs.adapters.parsing.html_markdown import MarkdownWriter
from askdocs.adapters.parsing.page_markdown import heading, join_blocks, one_line
from askdocs.adapters.parsing.sections import section_pages
from askdocs.adapters.parsing.sniffing import HTML
from askdocs.application.errors import UnprocessableDocument
from askdocs.application.ports.parsing import ParsedDocument


def html_text(markup: str) -> str:
    """The readable text of `markup` as page Markdown, its title a `#` heading first."""
    writer = MarkdownWriter()
    writer.feed(unify_newlines(markup))
    writer.close()
    body = writer.markdown()
    return join_blocks([heading(1, one_line("".join(writer.title))), body])


def parse_html(data: bytes, media_type: str = HTML) -> ParsedDocument:
    """Sections of an HTML page's text as unpaginated pages.

    Raises:
        UnprocessableDocument: the bytes are not UTF-8 or UTF-16 text, or the page holds no text.
    """
    markup = decode_text(data)
    if markup is None:
        raise UnprocessableDocument(
            "the page is not text in UTF-8, or UTF-16 with a byte order mark"
        )
    pages = section_pages(html_text(markup))
    if not pages:
        raise UnprocessableDocument("the HTML page holds no text")
    return ParsedDocument(media_type=media_type, pages=pages, paginated=False)
