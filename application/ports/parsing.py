"""Protocols: DocumentParser (bytes to pages) and Tokenizer (text to tokens)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Protocol

from askdocs.domain.documents import Page


@dataclasses.dataclass(frozen=True, slots=True)
class ParsedDocument:
    """The pages of a file; `paginated` is false for formats without real pages."""

    media_type: str
    pages: tuple[Page, ...]
    paginated: bool


class DocumentParser(Protocol):
    """Protocol: recognises a file's type from its bytes and extracts its pages.

    Sniffing is cheap and safe to do while a client waits; parsing may take long and is
    bounded by the adapter's time and memory budget.

    Raises:
        UnsupportedMediaType: the bytes are of a type askdocs does not read.
        UnprocessableDocument: a supported type that is empty, broken or holds no text.
    """

    def sniff(self, data: bytes, *, filename: str | None = None) -> str:
        """The media type of `data`, judged from the bytes; the name only tells text kinds apart."""
        ...

    async def parse(self, data: bytes, media_type: str) -> ParsedDocument:
        """The document's pages, numbered from 1."""
        ...


class Tokenizer(Protocol):
    """Protocol: a reversible text <-> token mapping, used for chunking and budgets."""

    @property
    def name(self) -> str:
        """The encoding's name."""
        ...

    def encode(self, text: str) -> list[int]:
        """Token ids of `text`."""
        ...

    def decode(self, tokens: Sequence[int]) -> str:
        """Text of a run of token ids."""
        ...

    def count(self, text: str) -> int:
        """Number of tokens in `text`."""
        ...
