"""ChangeDocument: soft delete, restore and retag, none of which re-embeds anything."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from askdocs.application.errors import Conflict, InvalidInput
from askdocs.application.liveness import sync_liveness
from askdocs.application.ports import AnswerCache, Clock, DocumentRepository, Metrics, VectorIndex
from askdocs.domain.documents import Document, clean_name


@dataclasses.dataclass(frozen=True, slots=True)
class DocumentChange:
    """One change to a document's state: exactly one of the fields is meaningful per action."""

    action: str
    tags: tuple[str, ...] | None = None
    name: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class ChangeDocument:
    """Apply a change, make the index agree, and retire cached answers.

    Raises:
        NotFound: no such document. Conflict: restoring a live or editing a deleted document.
        InvalidInput: an unknown action or an empty name. InvalidTag: malformed tags.
    """

    repository: DocumentRepository
    index: VectorIndex
    cache: AnswerCache
    metrics: Metrics
    clock: Clock

    async def execute(self, document_id: str, change: DocumentChange) -> Document:
        document = await self.repository.get(document_id)
        changed = self._apply(document, change)
        if changed == document:
            return document
        await self.repository.save(changed)
        changed = await sync_liveness(self.index, self.repository, document_id)
        await self.cache.bump_generation()
        self.metrics.increment("documents_changed", tags={"action": change.action})
        return changed

    def _apply(self, document: Document, change: DocumentChange) -> Document:
        actions: dict[str, Callable[[], Document]] = {
            "delete": lambda: document.deleted(self.clock.now()),
            "restore": lambda: self._restore(document),
            "update": lambda: self._update(document, change),
        }
        if change.action not in actions:
            raise InvalidInput(f"unknown document change {change.action!r}")
        return actions[change.action]()

    @staticmethod
    def _restore(document: Document) -> Document:
        if not document.is_deleted:
            raise Conflict(f"document {document.id} is not deleted")
        return document.restored()

    @staticmethod
    def _update(document: Document, change: DocumentChange) -> Document:
        if document.is_deleted:
            raise Conflict(f"document {document.id} is deleted; restore it first")
        if change.name is not None:
            if not change.name.strip():
                raise InvalidInput("a document name cannot be empty")
            document = document.renamed(clean_name(change.name))
        if change.tags is not None:
            document = document.retagged(change.tags)
        return document
