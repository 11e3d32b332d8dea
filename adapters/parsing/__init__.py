"""DocumentParser adapters: PDF through pypdf, HTML and text through the standard library."""

from askdocs.adapters.parsing.composite import SUPPORTED_MEDIA_TYPES, ContentSniffingParser

__all__ = ["SUPPORTED_MEDIA_TYPES", "ContentSniffingParser"]
