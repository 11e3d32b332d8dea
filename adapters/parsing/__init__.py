"""DocumentParser adapters: PDF through pypdf (pdfium when pypdf fails), DOCX through
python-docx, HTML and text through the standard library, all written as page Markdown; run in
a budgeted child process (IsolatedParser) or a thread (InlineParser)."""

from askdocs.adapters.parsing.composite import SUPPORTED_MEDIA_TYPES, ContentSniffingParser
from askdocs.adapters.parsing.inline import InlineParser
from askdocs.adapters.parsing.isolated import IsolatedParser

__all__ = ["SUPPORTED_MEDIA_TYPES", "ContentSniffingParser", "InlineParser", "IsolatedParser"]
