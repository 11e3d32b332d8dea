"""PDF: the text of each page as page Markdown, read with pypdf, or with pdfium when pypdf
cannot read the file or finds almost no text in it (docs/adr/0015-second-pdf-engine.md).

Words pypdf ran together in justified text get their spaces back from pdfium's reading of
the page (`pdf_spacing`). The text is cleaned the same whichever engine read it: running
headers and footers dropped, listing line numbers and dot leaders removed, prose reflowed
into paragraphs, code fenced.
Pages stay pages: nothing moves from one page to another.
"""

from __future__ import annotations

import io
import logging

from pypdf import PdfReader
from pypdf.errors import LimitReachedError

from askdocs.adapters.parsing.pdf_layout import measure_layout
from askdocs.adapters.parsing.pdf_lines import Line, plain_lines, pypdf_lines
from askdocs.adapters.parsing.pdf_paragraphs import page_markdown
from askdocs.adapters.parsing.pdf_running_lines import drop_running_lines
from askdocs.adapters.parsing.pdf_spacing import is_glued, respaced
from askdocs.adapters.parsing.pdfium_text import PdfiumEncrypted, pdfium_page_texts
from askdocs.adapters.parsing.sniffing import PDF
from askdocs.application.errors import UnprocessableDocument
from askdocs.application.ports.parsing import ParsedDocument
from askdocs.domain.documents import Page

# pypdf's text is replaced by pdfium's when it averages fewer non-space characters a page
# than this, and pdfium finds at least PDFIUM_GAIN times as many (and one a page more).
MIN_CHARS_PER_PAGE = 20
PDFIUM_GAIN = 2


def parse_pdf(data: bytes) -> ParsedDocument:
    """The text of every page, numbered from 1; pages without text are kept, empty.

    Raises:
        UnprocessableDocument: the PDF is encrypted, bomb-like, broken for both engines, or
            holds no extractable text.
    """
    # pypdf logs a warning for every small flaw it repairs; the outcome is reported instead.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    pages = drop_running_lines(_page_lines(data))
    layout = measure_layout(pages)
    texts = (page_markdown(lines, layout) for lines in pages)
    numbered = tuple(Page(number=n, text=text) for n, text in enumerate(texts, start=1))
    if not any(page.text for page in numbered):
        raise UnprocessableDocument("the PDF holds no extractable text")
    return ParsedDocument(media_type=PDF, pages=numbered, paginated=True)


def _page_lines(data: bytes) -> list[list[Line]]:
    try:
        pages = _pypdf_pages(data)
    except (UnprocessableDocument, MemoryError):
        raise
    # Broad on purpose: pypdf raises many unrelated types on malformed input (PdfReadError,
    # ValueError, KeyError, TypeError, RecursionError...); pdfium may read the file anyway.
    except Exception as exc:  # noqa: BLE001 - handed on to pdfium, and named if it fails too
        return _pdfium_pages(data, pypdf_failure=exc)
    if _characters(pages) < MIN_CHARS_PER_PAGE * len(pages):
        return _richer(pages, _pdfium_pages_or_none(data))
    return _with_spaces_restored(pages, data)


def _with_spaces_restored(pages: list[list[Line]], data: bytes) -> list[list[Line]]:
    """Pages whose words pypdf ran together get their spaces from pdfium's reading."""
    glued = [index for index, lines in enumerate(pages) if is_glued(lines)]
    if not glued:
        return pages
    try:
        texts = pdfium_page_texts(data)
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - pypdf read the file; its text stands as read
        return pages
    if len(texts) != len(pages):
        return pages
    return [respaced(lines, texts[i]) if i in glued else lines for i, lines in enumerate(pages)]


def _pypdf_pages(data: bytes) -> list[list[Line]]:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _opens_without_password(reader):
            raise UnprocessableDocument("the PDF is encrypted")
        return [pypdf_lines(page) for page in reader.pages]
    except LimitReachedError as exc:
        # Not handed to pdfium: a second engine inflating the same bomb gains nothing.
        raise UnprocessableDocument(
            "the PDF holds a stream that inflates past the safe limit (a decompression bomb)"
        ) from exc


def _pdfium_pages(data: bytes, *, pypdf_failure: Exception) -> list[list[Line]]:
    try:
        texts = pdfium_page_texts(data)
    except PdfiumEncrypted as exc:
        raise UnprocessableDocument("the PDF is encrypted") from exc
    except MemoryError:
        raise
    # Broad on purpose, as for pypdf; the reason given is pypdf's, the first engine's.
    except Exception as exc:
        raise UnprocessableDocument(f"the PDF cannot be read: {_reason(pypdf_failure)}") from exc
    return [plain_lines(text) for text in texts]


def _pdfium_pages_or_none(data: bytes) -> list[list[Line]] | None:
    try:
        return [plain_lines(text) for text in pdfium_page_texts(data)]
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - pypdf read the file; its little text stands
        return None


def _richer(
    pypdf_pages: list[list[Line]], pdfium_pages: list[list[Line]] | None
) -> list[list[Line]]:
    if pdfium_pages is None:
        return pypdf_pages
    ours, theirs = _characters(pypdf_pages), _characters(pdfium_pages)
    if theirs >= max(PDFIUM_GAIN * ours, ours + len(pypdf_pages)):
        return pdfium_pages
    return pypdf_pages


def _characters(pages: list[list[Line]]) -> int:
    return sum(len(line.text) - line.text.count(" ") for lines in pages for line in lines)


def _opens_without_password(reader: PdfReader) -> bool:
    try:
        return bool(reader.decrypt(""))
    except Exception:  # noqa: BLE001 - e.g. DependencyError for AES without a crypto package
        return False


def _reason(exc: Exception) -> str:
    return str(exc) or type(exc).__name__
