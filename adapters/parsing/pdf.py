"""PDF: the text of each page, read with pypdf."""

from __future__ import annotations

import io
import logging

from pypdf import PdfReader
from pypdf.errors import LimitReachedError

from askdocs.adapters.parsing.decoding import tidy_lines
from askdocs.adapters.parsing.sniffing import PDF
from askdocs.application.errors import UnprocessableDocument
from askdocs.application.ports.parsing import ParsedDocument
from askdocs.domain.documents import Page


def parse_pdf(data: bytes) -> ParsedDocument:
    """The text of every page, numbered from 1; pages without text are kept, empty.

    Raises:
        UnprocessableDocument: the PDF is encrypted, broken, or holds no extractable text.
    """
    # pypdf logs a warning for every small flaw it repairs; the outcome is reported instead.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    texts = _page_texts(data)
    pages = tuple(Page(number=n, text=tidy_lines(t)) for n, t in enumerate(texts, start=1))
    if not any(page.text for page in pages):
        raise UnprocessableDocument("the PDF holds no extractable text")
    return ParsedDocument(media_type=PDF, pages=pages, paginated=True)


def _page_texts(data: bytes) -> list[str]:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _opens_without_password(reader):
            raise UnprocessableDocument("the PDF is encrypted")
        return [page.extract_text() for page in reader.pages]
    except UnprocessableDocument:
        raise
    except LimitReachedError as exc:
        raise UnprocessableDocument(
            "the PDF holds a stream that inflates past the safe limit (a decompression bomb)"
        ) from exc
    # Broad on purpose: pypdf raises many unrelated types on malformed input (PdfReadError,
    # ValueError, KeyError, TypeError, RecursionError...), and every one means a broken file.
    except Exception as exc:
        raise UnprocessableDocument(f"the PDF cannot be read: {_reason(exc)}") from exc


def _opens_without_password(reader: PdfReader) -> bool:
    try:
        return bool(reader.decrypt(""))
    except Exception:  # noqa: BLE001 - e.g. DependencyError for AES without a crypto package
        return False


def _reason(exc: Exception) -> str:
    return str(exc) or type(exc).__name__
