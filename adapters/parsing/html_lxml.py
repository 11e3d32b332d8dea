"""Markup to `MarkdownWriter` through libxml2's HTML parser (lxml): the tags and text the
standard library's parser would report, tokenised in C.

lxml calls a parser target once per tag and text run, and builds no tree: the writer's
state is all that a page costs. libxml2 also closes what HTML leaves open (a `<p>` before a
block, a `<li>` before the next one) the way browsers do. On the PostgreSQL and Python
manuals the Markdown is the same, byte for byte, as through `html.parser`, at about twice
the pages a second (ADR 0037).
"""

from __future__ import annotations

from lxml import etree

from askdocs.adapters.parsing.html_markdown import MarkdownWriter


class _Events:
    """A parser target handing lxml's events to the writer as `html.parser` hands them."""

    def __init__(self, writer: MarkdownWriter) -> None:
        self._writer = writer

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self._writer.handle_starttag(tag, list(attrib.items()))

    def end(self, tag: str) -> None:
        self._writer.handle_endtag(tag)

    def data(self, data: str) -> None:
        self._writer.handle_data(data)

    def close(self) -> None:
        return None


def feed_through_libxml2(writer: MarkdownWriter, markup: str) -> None:
    """Feed `markup` to `writer` through libxml2.

    Raises:
        lxml.etree.ParserError: libxml2 could not read the markup at all.
    """
    parser = etree.HTMLParser(
        target=_Events(writer),
        recover=True,
        no_network=True,
        remove_comments=True,
        remove_pis=True,
        # Long text nodes and deep nesting stay readable; the memory budget of the parsing
        # process bounds what such a page can cost.
        huge_tree=True,
    )
    parser.feed(markup)
    parser.close()
