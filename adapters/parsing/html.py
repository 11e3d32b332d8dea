"""HTML: the readable text of a page as page Markdown, cut into sections like plain text."""

from __future__ import annotations

from lxml import etree

from askdocs.adapters.parsing.decoding import decode_text, unify_newlines
from askdocs.adapters.parsing.html_lxml import feed_through_libxml2
from askdocs.adapters.parsing.html_markdown import MarkdownWriter
from askdocs.adapters.parsing.page_markdown import heading, join_blocks, one_line
from askdocs.adapters.parsing.sections import section_pages
from askdocs.adapters.parsing.sniffing import HTML
from askdocs.application.errors import UnprocessableDocument
from askdocs.application.ports.parsing import ParsedDocument


def html_text(markup: str, *, libxml2: bool = True) -> str:
    """The readable text of `markup` as page Markdown, its title a `#` heading first.

    Read by libxml2 unless `libxml2` is false; markup libxml2 cannot read at all is read by
    the standard library's parser, which reads anything.
    """
    markup = unify_newlines(markup)
    writer = MarkdownWriter()
    try:
        if not libxml2:
            raise etree.ParserError("libxml2 not wanted")
        feed_through_libxml2(writer, markup)
    except etree.LxmlError:
        writer = MarkdownWriter()
        writer.feed(markup)
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
