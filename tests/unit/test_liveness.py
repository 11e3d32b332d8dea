"""Publishing what retrieval may see when two writers change one document at once."""

from __future__ import annotations

from askdocs.application.change_document import DocumentChange
from askdocs.application.ingest_document import Upload
from askdocs.application.liveness import sync_liveness
from askdocs.application.ports import Liveness, VectorIndex
from askdocs.domain.principals import Principal
from askdocs.entrypoints.container import Container
from tests.support.pdf import make_pdf
from tests.unit.test_ingest_document import ZOO, Search


class DeleteBeforeFirstPublish:
    """The index, except that someone deletes the document just before the first publish:
    the publisher read the document while it was live, and publishes that stale state."""

    def __init__(self, container: Container, document_id: str) -> None:
        self._container = container
        self._real: VectorIndex = container.index()
        self._document_id = document_id
        self.publishes = 0

    async def publish(self, liveness: Liveness) -> None:
        self.publishes += 1
        if self.publishes == 1:
            delete = DocumentChange("delete")
            await self._container.change_document().execute(self._document_id, delete)
        await self._real.publish(liveness)

    async def withdraw(self, document_id: str) -> None:
        await self._real.withdraw(document_id)


async def test_a_deletion_between_a_read_and_a_publish_still_hides_the_document(
    container: Container, editor: Principal, search: Search
) -> None:
    report = await container.ingest_document().execute(Upload(make_pdf(ZOO), "zoo.pdf", editor))
    document_id = report.document.id
    racing = DeleteBeforeFirstPublish(container, document_id)

    published = await sync_liveness(racing, container.documents(), document_id)  # type: ignore[arg-type]

    assert racing.publishes == 1
    assert published.is_deleted
    assert await search("aardvark flamingo narwhal pangolin quokka") == []
