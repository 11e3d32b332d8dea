"""Small, valid PDFs built in pure Python, so parser tests need no fixture files."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Sequence

from pypdf import PdfReader, PdfWriter

_FONT_SIZE = 12
_LEADING = 14
_FONTS = {"sans": "Helvetica", "bold": "Helvetica-Bold", "mono": "Courier"}
_FIRST_PAGE_ID = 3 + len(_FONTS)
_TOP = 720
# What TeX Live's l3backend-testphase.pdf holds in its content streams: pypdf gives up
# reading the stream ("Stream has ended unexpectedly"), pdfium skips the stray operands.
PYPDF_UNREADABLE_OPERANDS = b"pageresources<<##1>>\n"


@dataclasses.dataclass(frozen=True, slots=True)
class PdfLine:
    """A line of text placed on a page: its font ("sans", "bold" or "mono"), size, left edge."""

    text: str
    font: str = "sans"
    size: float = _FONT_SIZE
    x: float = 72


Page = str | Sequence[str | PdfLine]
"""A page's lines of Helvetica in a string, or its lines one by one, each placed as it says."""


def make_pdf(
    pages: Sequence[Page], *, pypdf_unreadable: bool = False, pypdf_blind: bool = False
) -> bytes:
    """A PDF with one page per item of `pages`, a line of text per line.

    Text must be Latin-1 in a string page, Windows-1252 (the fonts' WinAnsiEncoding, with its
    bullet and dashes) in a `PdfLine`. `pypdf_unreadable` puts
    operands in every content stream that make pypdf fail and that pdfium skips;
    `pypdf_blind` wraps every content stream in `<< >>`, which pypdf reads as one dictionary
    operand (so it finds no text and says nothing) and pdfium reads through.
    """
    page_ids = [_FIRST_PAGE_ID + 2 * i for i in range(len(pages))]
    kids = " ".join(f"{page_id} 0 R" for page_id in page_ids)
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
    ]
    objects += [
        f"<< /Type /Font /Subtype /Type1 /BaseFont /{name} /Encoding /WinAnsiEncoding >>".encode()
        for name in _FONTS.values()
    ]
    fonts = " ".join(f"/F{n} {n + 2} 0 R" for n in range(1, len(_FONTS) + 1))
    for page_id, page in zip(page_ids, pages, strict=True):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << {fonts} >> >> /Contents {page_id + 1} 0 R >>".encode()
        )
        content = _content_stream(page) if isinstance(page, str) else _placed_lines(page)
        if pypdf_unreadable:
            content = PYPDF_UNREADABLE_OPERANDS + content
        if pypdf_blind:
            content = b"<< " + content + b" >>"
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
    return _assemble(objects)


def make_encrypted_pdf(pages: list[str], *, password: str = "secret") -> bytes:
    """`make_pdf`'s document encrypted with RC4-40, which pypdf implements without extras."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(pages))))
    writer.encrypt(user_password=password, algorithm="RC4-40")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _content_stream(text: str) -> bytes:
    lines = text.split("\n")
    ops = [f"BT /F1 {_FONT_SIZE} Tf {_LEADING} TL 72 720 Td".encode()]
    for index, line in enumerate(lines):
        if index:
            ops.append(b"T*")
        ops.append(b"(" + _escape(line.encode("latin-1")) + b") Tj")
    ops.append(b"ET")
    return b"\n".join(ops)


def _placed_lines(lines: Sequence[str | PdfLine]) -> bytes:
    """Each line in a text object of its own, set at its place, one below the other."""
    ops: list[bytes] = []
    y = float(_TOP)
    font_numbers = {name: n for n, name in enumerate(_FONTS, start=1)}
    for item in lines:
        line = PdfLine(item) if isinstance(item, str) else item
        y -= line.size * 1.2
        text = _escape(line.text.encode("cp1252"))
        ops.append(
            b"BT /F%d %g Tf %g %g Td (%s) Tj ET"
            % (font_numbers[line.font], line.size, line.x, y, text)
        )
    return b"\n".join(ops)


def _escape(raw: bytes) -> bytes:
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _assemble(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref_at,
    )
    return bytes(out)
