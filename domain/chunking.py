"""Chunks, and token windows: how a run of tokens is cut into overlapping pieces.

A page's tokens are cut into windows of at most `size` tokens, each starting `size - overlap`
tokens after the previous one, so every token lands in at least one chunk and consecutive chunks
share exactly `overlap` tokens. The last window ends at the last token.
"""

from __future__ import annotations

import dataclasses

from askdocs.domain.errors import InvalidChunkingPolicy


@dataclasses.dataclass(frozen=True, slots=True)
class TokenWindow:
    """Half-open range [start, end) of token positions."""

    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclasses.dataclass(frozen=True, slots=True)
class ChunkingPolicy:
    """Window size and overlap, in tokens."""

    size: int
    overlap: int

    def __post_init__(self) -> None:
        if self.size < 1:
            raise InvalidChunkingPolicy("chunk size must be at least one token")
        if not 0 <= self.overlap < self.size:
            raise InvalidChunkingPolicy("overlap must be at least 0 and less than the chunk size")

    @property
    def stride(self) -> int:
        return self.size - self.overlap

    def windows(self, token_count: int) -> list[TokenWindow]:
        """The windows covering `token_count` tokens; none for an empty page."""
        if token_count <= 0:
            return []
        windows: list[TokenWindow] = []
        start = 0
        while True:
            end = min(start + self.size, token_count)
            windows.append(TokenWindow(start, end))
            if end == token_count:
                return windows
            start += self.stride


@dataclasses.dataclass(frozen=True, slots=True)
class Chunk:
    """A piece of one page's text, keyed by the page's content, not by any version.

    `section` is the trail of headings the piece sits under (`Installing > From source`),
    empty where the text has none.
    """

    id: str
    document_id: str
    page_sha256: str
    ordinal: int
    text: str
    token_count: int
    section: str = ""

    @property
    def embedded_text(self) -> str:
        """What is embedded: the text under its section's headings, which say what it is
        about when the text itself does not (an API entry's description, a continued list)."""
        if not self.section or self.text.startswith(self.section):
            return self.text
        return f"{self.section}\n\n{self.text}"


def chunk_id(document_id: str, page_sha256: str, ordinal: int) -> str:
    """A stable id: the same page text of the same document always yields the same ids."""
    return f"{document_id}:{page_sha256[:16]}:{ordinal}"
