"""The demo corpus: a short guide to askdocs shipped in the package, loaded by `serve --demo`."""

from __future__ import annotations

from importlib import resources

from askdocs.application.ingest_document import IngestDocument, Upload
from askdocs.domain.principals import Principal, Role

DEMO_TAG = "demo"
_LOADER = Principal(subject="askdocs-demo", role=Role.EDITOR)


def demo_files() -> list[tuple[str, bytes]]:
    """The demo pages, by name, in name order (the README says where they come from)."""
    folder = resources.files("askdocs.entrypoints.demo_corpus")
    return sorted(
        (entry.name, entry.read_bytes())
        for entry in folder.iterdir()
        if entry.name.endswith(".md") and entry.name != "README.md"
    )


async def load_demo(ingest: IngestDocument) -> int:
    """Ingest every demo page, tagged `demo`, searchable when this returns; the pages loaded.

    Loading again is harmless: the same bytes of a live document are not ingested twice.
    """
    for name, data in demo_files():
        await ingest.execute(Upload(data, filename=name, principal=_LOADER, tags=(DEMO_TAG,)))
    return len(demo_files())
