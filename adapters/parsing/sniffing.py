"""Media types judged from a file's bytes; the file name only tells markdown from plain text."""

from __future__ import annotations

import re

from askdocs.adapters.parsing.decoding import decode_text
from askdocs.application.errors import UnprocessableDocument, UnsupportedMediaType

PDF = "application/pdf"
HTML = "text/html"
MARKDOWN = "text/markdown"
PLAIN_TEXT = "text/plain"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_MAGIC_NUMBERS = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "an ELF executable"),
    # Password-protected DOCX files are OLE containers too.
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy or password-protected Office file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive"),
)
_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
# A DOCX's main part named in a zip header: a central directory entry (name length 17 at byte
# 28, name at byte 46) or, for an archive cut before its directory, a local file header (name
# length at byte 26, name at byte 30). Matched in place rather than through zipfile, which
# would build an object per entry of an archive that may declare hundreds of thousands.
_DOCX_DIRECTORY_ENTRY = re.compile(rb"PK\x01\x02.{24}\x11\x00.{16}word/document\.xml", re.DOTALL)
_DOCX_LOCAL_HEADER = re.compile(rb"PK\x03\x04.{22}\x11\x00.{2}word/document\.xml", re.DOTALL)
_READ = "askdocs reads PDF, DOCX, HTML and text"
_HTML_START = re.compile(r"\s*<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE)
_HTML_TAG = re.compile(r"<(?:html|body|head)[\s>/]", re.IGNORECASE)
_MARKDOWN_HEADING = re.compile(r"^#{1,6} ", re.MULTILINE)
_MARKDOWN_SUFFIXES = (".md", ".markdown")


def sniff_media_type(data: bytes, *, filename: str | None = None) -> str:
    """The media type of `data`: PDF, DOCX, HTML, markdown or plain text.

    Raises:
        UnprocessableDocument: the bytes are empty or only white space.
        UnsupportedMediaType: the bytes are an image, a zip other than DOCX, another archive
            or other binary content.
    """
    if not data.strip():
        raise UnprocessableDocument("the file is empty")
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(_ZIP_SIGNATURES):
        if _names_word_document(data):
            return DOCX
        raise UnsupportedMediaType(f"the file is a zip archive; {_READ}")
    for magic, kind in _MAGIC_NUMBERS:
        if data.startswith(magic):
            raise UnsupportedMediaType(f"the file is {kind}; {_READ}")
    text = decode_text(data)
    if text is None:
        raise UnsupportedMediaType(
            "the file is binary: neither PDF nor text in UTF-8 or UTF-16 with a byte order mark"
        )
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise UnprocessableDocument("the file is empty")
    return _text_kind(text, filename)


def _names_word_document(data: bytes) -> bool:
    # A truncated DOCX is still judged a DOCX, so that parsing reports it broken rather than
    # the upload being refused as some other zip.
    return bool(_DOCX_DIRECTORY_ENTRY.search(data) or _DOCX_LOCAL_HEADER.search(data))


def _text_kind(text: str, filename: str | None) -> str:
    if _HTML_START.match(text) or _HTML_TAG.search(text[:1024]):
        return HTML
    if filename is not None and filename.lower().endswith(_MARKDOWN_SUFFIXES):
        return MARKDOWN
    return MARKDOWN if _MARKDOWN_HEADING.search(text) else PLAIN_TEXT
