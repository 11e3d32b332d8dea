"""Bytes to text for the text kinds, and the clean-up every page's text gets."""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# C0 controls other than tab and newline, and DEL: no text format means them, and PostgreSQL
# refuses NUL in text columns.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")
_TRAILING_SPACE = re.compile(r"[^\S\n]+$", re.MULTILINE)


def decode_text(data: bytes) -> str | None:
    """The text of UTF-8 (BOM optional) or UTF-16 (BOM required) bytes; None for anything else.

    Text holding NUL is taken for binary, as a NUL never appears in a text file.
    """
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), "utf-8")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text


def unify_newlines(text: str) -> str:
    """Text with LF line ends, no stray control characters and no lone surrogates."""
    # A lone surrogate (from a broken PDF font map, say) cannot be encoded, and page digests
    # encode the text as UTF-8.
    text = text.encode("utf-8", "replace").decode("utf-8")
    return _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def trim_lines(text: str) -> str:
    """Text with unified newlines, lines right-trimmed and blank lines at both ends removed."""
    return _TRAILING_SPACE.sub("", unify_newlines(text)).strip("\n")


def tidy_lines(text: str) -> str:
    """Text as `trim_lines` makes it, each run of spaces and tabs made one space, ends trimmed."""
    return _HORIZONTAL_SPACE.sub(" ", trim_lines(text)).strip()
