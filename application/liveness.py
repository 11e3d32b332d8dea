"""What of a document retrieval may see: the pages of its current version, unless deleted."""

from __future__ import annotations

from askdocs.application.ports import DocumentRepository, Liveness, LivePage, VectorIndex
from askdocs.domain.documents import Document, DocumentVersion

# Each round needs another writer to change the document between a read and a publish.
MAX_REPUBLISH = 5


def liveness_of(document: Document) -> Liveness | None:
    """The pages retrieval should see for `document`, or None when nothing should be seen."""
    current = document.current
    if document.is_deleted or current is None:
        return None
    return Liveness(
        document_id=document.id,
        document_name=document.name,
        version=current.number,
        tags=document.tags,
        pages=tuple(
            LivePage(page_sha256=ref.sha256, page_no=ref.number if current.paginated else None)
            for ref in current.pages
        ),
    )


async def sync_liveness(
    index: VectorIndex, repository: DocumentRepository, document_id: str
) -> Document:
    """Make the index show what the stored document says; re-embeds nothing. Returns the
    document as it was published.

    Two writers may publish one document at once (a worker finishing a version while someone
    deletes the document): each publishes what it read, and the one that read first may
    publish last. So after publishing, the document is read again, and published again if it
    changed meanwhile: the last writer's state is what stays.
    """
    document = await repository.get(document_id)
    for _ in range(MAX_REPUBLISH):
        published = liveness_of(document)
        await _publish(index, document.id, published)
        latest = await repository.get(document_id)
        if liveness_of(latest) == published:
            return latest
        document = latest
    return document


async def publish_ahead(
    index: VectorIndex, repository: DocumentRepository, document_id: str, version: DocumentVersion
) -> None:
    """Publish the document as it will be once `version` is saved, before it is saved.

    Read fresh, so a document deleted meanwhile is not shown again; `sync_liveness` after the
    save settles any race that remains.
    """
    document = (await repository.get(document_id)).with_version_replaced(version)
    published = liveness_of(document)
    if published is not None:
        await index.publish(published)


async def _publish(index: VectorIndex, document_id: str, liveness: Liveness | None) -> None:
    if liveness is None:
        await index.withdraw(document_id)
    else:
        await index.publish(liveness)
