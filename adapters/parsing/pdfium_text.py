"""The text of each page of a PDF, read with pdfium (pypdfium2): the second engine.

pdfium, Chrome's PDF reader, is lenient where pypdf is strict: it reads content streams that
hold operators pypdf cannot parse, and fonts whose text pypdf cannot map. It gives text
without layout hints.
"""

from __future__ import annotations

import pypdfium2  # type: ignore[import-untyped]  # ships no type information

# pdfium's FPDF_ERR_PASSWORD: the document needs a password it was not given.
_PASSWORD_ERROR = 4


class PdfiumEncrypted(Exception):
    """pdfium cannot open the document without a password."""


def pdfium_page_texts(data: bytes) -> list[str]:
    """The text of every page, in order; lines end with a newline, as pypdf's do.

    Raises:
        PdfiumEncrypted: the document needs a password.
        pypdfium2.PdfiumError: pdfium cannot read the document or one of its pages.
    """
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        if exc.err_code == _PASSWORD_ERROR:
            raise PdfiumEncrypted(str(exc)) from exc
        raise
    try:
        return [_page_text(document, index) for index in range(len(document))]
    finally:
        document.close()


def _page_text(document: pypdfium2.PdfDocument, index: int) -> str:
    page = document[index]
    try:
        text_page = page.get_textpage()
        try:
            return str(text_page.get_text_bounded()).replace("\r\n", "\n")
        finally:
            text_page.close()
    finally:
        page.close()
