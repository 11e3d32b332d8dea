"""ReadOriginal through the real container: a version's stored file, as it was uploaded."""

from __future__ import annotations

import dataclasses

import pytest

from askdocs.application.change_document import DocumentChange
from askdocs.application.errors import NotFound
from askdocs.application.read_original import Original
from askdocs.application.submit_document import Upload
from askdocs.domain.principals import Principal
from askdocs.entrypoints.container import Container
from tests.support.pdf import make_pdf

FIRST = make_pdf(["The kettle boils in two minutes."])
SECOND = make_pdf(["The kettle boils in three minutes since the descaling."])


async def test_each_version_is_read_back_as_uploaded_under_its_own_name(
    container: Container, editor: Principal
) -> None:
    first = await container.ingest_document().execute(Upload(FIRST, "kettle.pdf", editor))
    document_id = first.document.id
    await container.ingest_document().execute(
        Upload(SECOND, "kettle-2025.pdf", editor, document_id=document_id)
    )
    read = container.read_original()

    assert await read.execute(document_id, 1) == Original(FIRST, "application/pdf", "kettle.pdf")
    assert await read.execute(document_id, 2) == Original(
        SECOND, "application/pdf", "kettle-2025.pdf"
    )


async def test_a_version_stored_without_a_file_name_is_named_after_its_document(
    container: Container, editor: Principal
) -> None:
    report = await container.ingest_document().execute(Upload(FIRST, "kettle.pdf", editor))
    version = report.document.version(1)
    assert version is not None
    nameless = dataclasses.replace(version, file_name="")
    await container.documents().save_version(report.document.id, nameless)

    original = await container.read_original().execute(report.document.id, 1)

    assert original.file_name == "kettle.pdf"


async def test_a_deleted_document_or_a_missing_version_has_no_original(
    container: Container, editor: Principal
) -> None:
    report = await container.ingest_document().execute(Upload(FIRST, "kettle.pdf", editor))
    document_id = report.document.id
    read = container.read_original()

    with pytest.raises(NotFound, match=f"document {document_id} has no version 2 to read"):
        await read.execute(document_id, 2)
    await container.change_document().execute(document_id, DocumentChange("delete"))
    with pytest.raises(NotFound, match=f"document {document_id} has no version 1 to read"):
        await read.execute(document_id, 1)
    await container.change_document().execute(document_id, DocumentChange("restore"))
    assert (await read.execute(document_id, 1)).data == FIRST
