"""What the library decides where settings leave `auto`, and who it acts as.

A program embedding askdocs has no worker beside it and often no disk of its own to spare, so
the library ingests in the call (`jobs.backend=inline`), reads files in a thread
(`worker.parser=inline`) and keeps uploads in memory unless told where to keep them. Values
set explicitly are kept as they are.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from askdocs.domain.principals import Principal, Role
from askdocs.entrypoints.settings import PREFIX, Settings, SettingsError

LIBRARY_PRINCIPAL = Principal(subject="library", role=Role.ADMIN)
"""Who library calls act as: the program that embeds askdocs is its operator, so it may do
anything an admin may; its uploads and conversations are recorded under `library`."""


def as_variables(overrides: Mapping[str, object]) -> dict[str, str]:
    """Keyword overrides (`documents__blob_dir="/srv"`) as the ASKDOCS_* variables they name,
    so they are checked, and named in errors, exactly as variables are."""
    return {
        f"{PREFIX}{name.upper()}": str(value).lower() if isinstance(value, bool) else str(value)
        for name, value in overrides.items()
    }


def library_choices(settings: Settings) -> Settings:
    """`settings` with the library's meaning of `auto` for jobs, parser and blob store.

    Raises:
        SettingsError: `jobs.backend=memory`, whose jobs only a worker inside `serve` takes.
    """
    jobs, worker, documents = settings.jobs, settings.worker, settings.documents
    if jobs.backend == "memory":
        raise SettingsError(
            "jobs.backend=memory needs the worker inside `askdocs serve`; the library ingests "
            "in the call: leave jobs.backend to auto, or set it to inline"
        )
    replace = msgspec.structs.replace
    if jobs.backend == "auto":
        jobs = replace(jobs, backend="inline")
    if worker.parser == "auto":
        worker = replace(worker, parser="inline")
    if documents.blob_store == "auto":
        kept = bool(documents.blob_dir or settings.database.url)
        documents = replace(documents, blob_store="local" if kept else "memory")
    return replace(settings, jobs=jobs, worker=worker, documents=documents)
