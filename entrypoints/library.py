"""askdocs as a library: `Askdocs` ingests documents and answers questions in this process.

The object is built from `Settings` through the same container as `serve`, so every default
and every backend is the server's; only the choices left to `auto` that make sense for a
program embedding askdocs differ (library_settings.py). Each call acts as LIBRARY_PRINCIPAL.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Self

from askdocs.application.ask_question import AnswerEvent, Question
from askdocs.application.change_document import DocumentChange
from askdocs.application.ingest_document import Upload
from askdocs.application.list_documents import MAX_PAGE_SIZE
from askdocs.application.ports import DocumentQuery
from askdocs.application.submit_url import fetch_upload
from askdocs.domain.answers import Answer
from askdocs.domain.documents import Document, VersionStatus
from askdocs.entrypoints.container import Container, build_container
from askdocs.entrypoints.infrastructure import closers
from askdocs.entrypoints.library_settings import LIBRARY_PRINCIPAL, as_variables, library_choices
from askdocs.entrypoints.settings import Settings, load_settings

__all__ = ["LIBRARY_PRINCIPAL", "Askdocs"]

Source = str | os.PathLike[str] | bytes
"""A file's path, its bytes (with `filename`), or an http(s) URL."""


class Askdocs:
    """Documents and answers in process: `ingest`, `ask`, `stream`, `documents`, `close`.

    `Askdocs()` runs on the defaults (everything in memory, the extractive answerer, no
    network); `Askdocs(llm__providers="openai", ...)` changes settings by their path, as the
    ASKDOCS_* variables name them; `Askdocs(settings)` takes a whole `Settings`;
    `Askdocs.from_env()` reads ASKDOCS_* variables and ASKDOCS_CONFIG_FILE like `serve`.
    Use it as `async with Askdocs() as docs: ...`, or call `close()`.

    Errors are askdocs' own (`askdocs.application.errors`): UnsupportedMediaType and
    UnprocessableDocument for a file it cannot read (with the reason), InvalidInput for a bad
    question or a refused URL, UpstreamError for a backend that failed. A setting it cannot
    use raises SettingsError (a ValueError), a backend whose extra is not installed
    MissingExtra (one of them), both when the object is made.
    """

    def __init__(self, settings: Settings | None = None, **overrides: object) -> None:
        if settings is not None and overrides:
            raise TypeError("pass Settings or keyword overrides, not both")
        chosen = settings if settings is not None else load_settings(as_variables(overrides))
        self.settings = library_choices(chosen)
        """The settings in force, with the library's choices made."""
        self._container = build_container(self.settings)
        self._fetched = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Self:
        """Settings from ASKDOCS_* variables (and the file ASKDOCS_CONFIG_FILE names), the
        keyword overrides on top."""
        variables = dict(os.environ if environ is None else environ)
        return cls(load_settings({**variables, **as_variables(overrides)}))

    @property
    def container(self) -> Container:
        """The dependency-injector container behind this object: its use cases and adapters,
        for what the methods here do not cover, and `override()` in tests."""
        return self._container

    async def ingest(
        self,
        source: Source,
        *,
        filename: str | None = None,
        tags: Iterable[str] = (),
        title: str | None = None,
    ) -> Document:
        """Add a document (or its new bytes) and return it once it is searchable.

        `filename` names bytes (its extension marks Markdown); `title` renames the document
        from its file name. Sending the same bytes again returns the document unchanged.

        Raises:
            UnsupportedMediaType: a kind of file askdocs does not read; nothing is kept.
            UnprocessableDocument: the file cannot be read, with the reason; the document is
                kept, its version `failed` with that reason, and nothing of it is searchable.
            UpstreamError: a backend failed (the embedder, a database); the version stays
                queued, and sending the same bytes again ingests it.
        """
        upload = await self._upload(source, filename=filename, tags=tuple(tags))
        report = await self._container.ingest_document().execute(upload)
        document = report.document
        if title is not None and title != document.name:
            change = DocumentChange("update", name=title)
            document = await self._container.change_document().execute(document.id, change)
        return document

    async def ask(
        self,
        question: str,
        *,
        tags: Iterable[str] = (),
        top_k: int | None = None,
        session_id: str | None = None,
    ) -> Answer:
        """The answer from the documents (those with all of `tags`), with its sources.
        With `session_id` (a name of your choosing) earlier turns of it are remembered."""
        asked = self._question(question, tags=tags, top_k=top_k, session_id=session_id)
        reply = await self._container.ask_question().execute(asked)
        return reply.answer

    async def stream(
        self,
        question: str,
        *,
        tags: Iterable[str] = (),
        top_k: int | None = None,
        session_id: str | None = None,
    ) -> AsyncIterator[AnswerEvent]:
        """The answer as it is written: AnswerStarted (the sources), AnswerDelta (text)...,
        then AnswerFinished (the whole answer) or AnswerFailed."""
        asked = self._question(question, tags=tags, top_k=top_k, session_id=session_id)
        async for event in self._container.ask_question().stream(asked):
            yield event

    async def documents(
        self, *, tags: Iterable[str] = (), status: VersionStatus | None = None
    ) -> list[Document]:
        """Every live document (with all of `tags`, its newest version in `status`), newest
        first."""
        found: list[Document] = []
        while True:
            query = DocumentQuery(
                tags=tuple(tags), status=status, offset=len(found), limit=MAX_PAGE_SIZE
            )
            listing = await self._container.list_documents().execute(query)
            found.extend(listing.items)
            if not listing.items or len(found) >= listing.total:
                return found

    async def close(self) -> None:
        """Release connections and clients; the object is not to be used after."""
        if self._fetched:
            await self._container.url_fetcher().aclose()
        for close in closers(self._container):
            await close()
        await asyncio.to_thread(self._container.tracer().shutdown)  # spans still queued
        self._container.reset_singletons()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def _upload(
        self, source: Source, *, filename: str | None, tags: tuple[str, ...]
    ) -> Upload:
        if isinstance(source, bytes):
            if not filename:
                raise TypeError("bytes need a filename (its extension marks Markdown)")
            return Upload(source, filename, LIBRARY_PRINCIPAL, tags=tags)
        if isinstance(source, str) and source.startswith(("http://", "https://")):
            self._fetched = True
            fetcher = self._container.url_fetcher()
            return await fetch_upload(fetcher, source, LIBRARY_PRINCIPAL, tags=tags)
        path = Path(source)
        data = await asyncio.to_thread(path.read_bytes)
        return Upload(data, filename or path.name, LIBRARY_PRINCIPAL, tags=tags)

    @staticmethod
    def _question(
        text: str, *, tags: Iterable[str], top_k: int | None, session_id: str | None
    ) -> Question:
        return Question(
            text, LIBRARY_PRINCIPAL, session_id=session_id, top_k=top_k, tags=tuple(tags)
        )
