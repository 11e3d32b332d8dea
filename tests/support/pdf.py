"""Small, valid PDFs built in pure Python, so parser tests need no fixture files."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter

_FONT_SIZE = 12
_LEADING = 14


def make_pdf(pages: list[str]) -> bytes:
    """A PDF with one page per string, each line of a string a line of Helvetica text.

    Text must be Latin-1, the range of the standard font's encoding.
    """
    page_ids = [4 + 2 * i for i in range(len(pages))]
    kids = " ".join(f"{page_id} 0 R" for page_id in page_ids)
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for page_id, text in zip(page_ids, pages, strict=True):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {page_id + 1} 0 R >>".encode()
        )
        content = _content_stream(text)
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
