"""askdocs: self-hosted retrieval-augmented chat over your own documents.

`from askdocs import Askdocs` is the library (entrypoints/library.py): documents and answers
in your own program. It is imported on first use, so `import askdocs` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"
__all__ = ["Askdocs", "Settings", "__version__"]

if TYPE_CHECKING:
    from askdocs.entrypoints.library import Askdocs
    from askdocs.entrypoints.settings import Settings

_LAZY = {
    "Askdocs": "askdocs.entrypoints.library",
    "Settings": "askdocs.entrypoints.settings",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'askdocs' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_LAZY[name]), name)
