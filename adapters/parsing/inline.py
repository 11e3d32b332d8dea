"""InlineParser: the format readers run in a thread of this process, without budgets."""

from __future__ import annotations

import asyncio

from askdocs.adapters.parsing.composite import ContentSniffingParser
from askdocs.application.ports.parsing import ParsedDocument


class InlineParser:
    """DocumentParser that parses in a worker thread of the calling process.

    No time or memory budget applies: a file that makes the reader run long or inflate holds
    this process. For tests, and for embedding askdocs where a child process is not wanted;
    a service parsing uploads wants `IsolatedParser`.

    Raises:
        UnsupportedMediaType: the bytes, or the media type asked for, are not one askdocs reads.
        UnprocessableDocument: the file is empty, broken, encrypted, bomb-like or holds no text.
    """

    def __init__(self) -> None:
        self._parser = ContentSniffingParser()

    def sniff(self, data: bytes, *, filename: str | None = None) -> str:
        """The media type of `data`, judged from the bytes; the name only marks markdown."""
        return self._parser.sniff(data, filename=filename)

    async def parse(self, data: bytes, media_type: str) -> ParsedDocument:
        """The document's pages, numbered from 1, read off the event loop."""
        return await asyncio.to_thread(self._parser.parse, data, media_type)
