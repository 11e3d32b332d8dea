"""HTML: the readable text of a page, cut into sections like plain text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from askdocs.adapters.parsing.decoding import decode_text, tidy_lines
from askdocs.adapters.parsing.sections import section_pages
from askdocs.adapters.parsing.sniffing import HTML
from askdocs.application.errors import UnprocessableDocument
from askdocs.application.ports.parsing import ParsedDocument

# Not <head>: pages that never close it are common, and its other content is hidden anyway.
_HIDDEN = frozenset({"script", "style", "noscript", "template", "svg", "object"})
_PARAGRAPH_BREAK = frozenset(
    {
        "address", "article", "aside", "blockquote", "dd", "details", "dl", "div", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "hr", "main", "nav", "ol", "p", "pre", "section", "table", "ul",
    }
)  # fmt: skip
_LINE_BREAK = frozenset({"br", "li", "tr", "caption", "summary", "option"})
_CELL = frozenset({"td", "th"})
_SPACE = re.compile(r"\s+")
_BLANK_RUNS = re.compile(r"\n{3,}")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] = []
        self.parts: list[str] = []
        self._hidden = 0
        self._pre = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title" and not self._hidden:
            self._in_title = True
        elif tag in _HIDDEN:
            self._hidden += 1
        elif tag == "pre":
            self._pre += 1
        self._break(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in _HIDDEN:
            self._hidden = max(self._hidden - 1, 0)
        elif tag == "pre":
            self._pre = max(self._pre - 1, 0)
        if tag in _PARAGRAPH_BREAK:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._break(tag)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._hidden:
            # Source line breaks are layout outside <pre> and content inside it.
            self.parts.append(data if self._pre else _SPACE.sub(" ", data))

    def _break(self, tag: str) -> None:
        if tag in _PARAGRAPH_BREAK:
            self.parts.append("\n\n")
        elif tag in _LINE_BREAK:
            self.parts.append("\n")
        elif tag in _CELL:
            self.parts.append(" ")


def html_text(markup: str) -> str:
    """The readable text of `markup`: title first, one paragraph per block element."""
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    title = _SPACE.sub(" ", "".join(extractor.title)).strip()
    lines = (line.strip() for line in tidy_lines("".join(extractor.parts)).split("\n"))
    body = _BLANK_RUNS.sub("\n\n", "\n".join(lines))
    return f"{title}\n\n{body}" if title else body


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
