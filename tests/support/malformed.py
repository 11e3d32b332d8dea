"""Malformed, hostile and oversized uploads, generated at test time so no binary is committed.

`MALFORMED_INPUTS` maps a name to a function returning the file's bytes and an upload name, so
an end-to-end suite can upload each one. Every one must end in a parsed document or a parsing
error, within the parser's budgets, and leave the parser working.

The two bombs inflate to over 1 GiB from about a megabyte. They are built without ever holding
the inflated bytes: after a full flush, deflate's output for a block no longer depends on what
came before, so one block is compressed and its output repeated.
"""

from __future__ import annotations

import functools
import io
import random
import re
import struct
import zlib
from collections.abc import Callable

from tests.support.docx import make_docx
from tests.support.pdf import make_encrypted_pdf, make_pdf

MIB = 1024 * 1024
BOMB_INFLATED_MIB = 1100  # over 1 GiB
TEN_THOUSAND = 10_000
_SEED = 20240611
_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
_PAGE = (
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
    b"/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
)
_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" '
    b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_PACKAGE_RELATIONSHIPS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.openxmlformats'
    b'.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
_WORD_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w='
    b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
)
_WORD_TAIL = b"</w:body></w:document>"


def empty_file() -> tuple[bytes, str]:
    return b"", "empty.pdf"


def multi_page_pdf() -> bytes:
    """A valid 12-page PDF, the source the damaged ones are made from."""
    return make_pdf([f"Page {n}\nSome words on page {n} of the sample." for n in range(1, 13)])


def truncated_pdf(fraction: float) -> Callable[[], tuple[bytes, str]]:
    def cut() -> tuple[bytes, str]:
        data = multi_page_pdf()
        return data[: int(len(data) * fraction)], f"truncated-{round(fraction * 100)}.pdf"

    return cut


def pdf_with_flipped_bytes() -> tuple[bytes, str]:
    data = bytearray(multi_page_pdf())
    rng = random.Random(_SEED)
    for _ in range(24):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data), "flipped.pdf"


def pdf_with_wrong_xref_offsets() -> tuple[bytes, str]:
    """Every cross-reference entry points 7 bytes past its object."""
    data = multi_page_pdf()

    def shifted(entry: re.Match[bytes]) -> bytes:
        return b"%010d 00000 n " % (int(entry[1]) + 7)

    return re.sub(rb"(\d{10}) 00000 n ", shifted, data), "wrong-xref-offsets.pdf"


def pdf_with_garbage_xref() -> tuple[bytes, str]:
    """The cross-reference table overwritten with random bytes of the same length."""
    data = multi_page_pdf()
    start, end = data.rindex(b"\nxref\n") + 1, data.rindex(b"trailer")
    garbage = random.Random(_SEED).randbytes(end - start)
    return data[:start] + garbage + data[end:], "garbage-xref.pdf"


def encrypted_pdf() -> tuple[bytes, str]:
    return make_encrypted_pdf(["words under a password"]), "encrypted.pdf"


@functools.cache
def ten_thousand_page_pdf() -> tuple[bytes, str]:
    """10,000 page objects sharing one font and one content stream: about 1 MB."""
    content = b"BT /F1 12 Tf 72 720 Td (The same line on every page.) Tj ET"
    kids = b" ".join(b"%d 0 R" % (5 + n) for n in range(TEN_THOUSAND))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, TEN_THOUSAND),
        _FONT,
        _stream(b"", content),
        *[_PAGE] * TEN_THOUSAND,
    ]
    return _assemble_pdf(objects), "ten-thousand-pages.pdf"


@functools.cache
def pdf_inflate_bomb() -> tuple[bytes, str]:
    """A one-page PDF of about 1 MB whose content stream inflates to 1100 MiB of `q Q`."""
    block = b"q Q " * (MIB // 4)
    deflated = _deflate_repeated(b"", block, BOMB_INFLATED_MIB, b"", wbits=zlib.MAX_WBITS)
    checksum = _checksum(zlib.adler32, b"", block, BOMB_INFLATED_MIB, b"")
    # zlib's trailer holds the Adler-32 of what the compressor saw: three blocks, not 1100.
    deflated = deflated[:-4] + struct.pack(">I", checksum)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
        _FONT,
        _stream(b"/Filter /FlateDecode ", deflated),
        _PAGE,
    ]
    return _assemble_pdf(objects), "inflate-bomb.pdf"


def html_named_pdf() -> tuple[bytes, str]:
    page = b"<!DOCTYPE html><html><head><title>Saved page</title></head><body><p>Not a PDF.</p>"
    return page + b"</body></html>", "report.pdf"


@functools.cache
def docx_zip_bomb() -> tuple[bytes, str]:
    """A DOCX of about 1 MB whose word/document.xml inflates to 1100 MiB, sizes declared."""
    paragraph_head, paragraph_tail = b"<w:p><w:r><w:t>", b"</w:t></w:r></w:p>"
    text = b"a" * (MIB - len(paragraph_head) - len(paragraph_tail))
    block = paragraph_head + text + paragraph_tail
    times = BOMB_INFLATED_MIB
    document = _deflate_repeated(_WORD_HEAD, block, times, _WORD_TAIL, wbits=-zlib.MAX_WBITS)
    members = [
        _zip_member("[Content_Types].xml", _CONTENT_TYPES),
        _zip_member("_rels/.rels", _PACKAGE_RELATIONSHIPS),
        (
            "word/document.xml",
            document,
            _checksum(zlib.crc32, _WORD_HEAD, block, times, _WORD_TAIL),
            len(_WORD_HEAD) + len(block) * times + len(_WORD_TAIL),
        ),
    ]
    return _assemble_zip(members), "zip-bomb.docx"


@functools.cache
def docx_understating_its_size() -> tuple[bytes, str]:
    """A DOCX whose word/document.xml declares 1 KiB and inflates to 64 MiB."""
    block = b"<w:p><w:r><w:t>" + b"b" * (MIB - 36) + b"</w:t></w:r></w:p>"
    times = 64
    document = _deflate_repeated(_WORD_HEAD, block, times, _WORD_TAIL, wbits=-zlib.MAX_WBITS)
    crc = _checksum(zlib.crc32, _WORD_HEAD, block, times, _WORD_TAIL)
    members = [
        _zip_member("[Content_Types].xml", _CONTENT_TYPES),
        _zip_member("_rels/.rels", _PACKAGE_RELATIONSHIPS),
        ("word/document.xml", document, crc, 1024),
    ]
    return _assemble_zip(members), "understated.docx"


def truncated_docx() -> tuple[bytes, str]:
    """A real DOCX cut before its central directory: only local headers name its parts."""
    data = make_docx(["A paragraph that will not be read."])
    return data[: len(data) * 6 // 10], "truncated.docx"


MALFORMED_INPUTS: dict[str, Callable[[], tuple[bytes, str]]] = {
    "empty file": empty_file,
    "PDF truncated at 50%": truncated_pdf(0.5),
    "PDF truncated at 90%": truncated_pdf(0.9),
    "PDF with flipped bytes": pdf_with_flipped_bytes,
    "PDF with wrong xref offsets": pdf_with_wrong_xref_offsets,
    "PDF with a garbage xref table": pdf_with_garbage_xref,
    "encrypted PDF": encrypted_pdf,
    "10,000-page PDF": ten_thousand_page_pdf,
    "PDF inflate bomb": pdf_inflate_bomb,
    "HTML named .pdf": html_named_pdf,
    "DOCX zip bomb": docx_zip_bomb,
    "DOCX understating its size": docx_understating_its_size,
    "truncated DOCX": truncated_docx,
}


def _stream(dictionary_entries: bytes, data: bytes) -> bytes:
    return b"<< %s/Length %d >>\nstream\n%s\nendstream" % (dictionary_entries, len(data), data)


def _assemble_pdf(objects: list[bytes]) -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref_at = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref_at)
    return out.getvalue()


def _deflate_repeated(head: bytes, block: bytes, times: int, tail: bytes, *, wbits: int) -> bytes:
    """`head`, `block` repeated `times` times, then `tail`, deflated (zlib or raw by `wbits`);
    a zlib stream's trailer is left for the caller to correct."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)

    def flushed(data: bytes) -> bytes:
        return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)

    start, repeated = flushed(head), flushed(block)
    assert flushed(block) == repeated, "deflate output depends on history after a full flush"
    return start + repeated * times + compressor.compress(tail) + compressor.flush()


def _checksum(
    function: Callable[..., int], head: bytes, block: bytes, times: int, tail: bytes
) -> int:
    value = function(head)
    for _ in range(times):
        value = function(block, value)
    return function(tail, value)


def _zip_member(name: str, data: bytes) -> tuple[str, bytes, int, int]:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return name, compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)


def _assemble_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of deflated members, each given as (name, deflated bytes, CRC-32, inflated size)."""
    out, directory = io.BytesIO(), io.BytesIO()
    for name, deflated, crc, size in members:
        encoded = name.encode()
        offset = out.tell()
        # version needed 2.0, no flags, deflate, 1980-01-01 00:00
        common = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0x21, crc, len(deflated), size)
        out.write(b"PK\x03\x04" + common + struct.pack("<HH", len(encoded), 0) + encoded)
        out.write(deflated)
        directory.write(b"PK\x01\x02" + struct.pack("<H", 20) + common)
        directory.write(struct.pack("<HHHHHII", len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    directory_at, entries, listing = out.tell(), len(members), directory.getvalue()
    out.write(listing)
    end = struct.pack("<HHHHIIH", 0, 0, entries, entries, len(listing), directory_at, 0)
    out.write(b"PK\x05\x06" + end)
    return out.getvalue()
