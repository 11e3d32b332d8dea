"""What of a document retrieval may see: the pages of its current version, unless deleted."""

from __future__ import annotations

from askdocs.application.ports import Liveness, LivePage, VectorIndex
from askdocs.domain.documents import Document


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


async def sync_liveness(index: VectorIndex, document: Document) -> None:
    """Make the index show exactly what `liveness_of` says; re-embeds nothing."""
    liveness = liveness_of(document)
    if liveness is None:
        await index.withdraw(document.id)
    else:
        await index.publish(liveness)
