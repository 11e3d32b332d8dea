"""/api/v1/docs: upload, new version, list, read, edit, soft delete and restore."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from askdocs.application.change_document import ChangeDocument, DocumentChange
from askdocs.application.errors import InvalidInput, UnsupportedMediaType
from askdocs.application.get_document import GetDocument
from askdocs.application.ingest_document import IngestDocument, IngestReport, Upload
from askdocs.application.list_documents import ListDocuments
from askdocs.application.ports import DocumentQuery
from askdocs.domain.documents import VersionStatus, clean_name, split_tags
from askdocs.domain.principals import Principal, Role
from askdocs.entrypoints.http.schemas import (
    DocumentOut,
    DocumentPage,
    DocumentPatch,
    UploadAccepted,
    VersionOut,
)
from askdocs.entrypoints.http.security import requires
from askdocs.entrypoints.wiring import DOCUMENT_WRITES

WRITE = {"rate_limit": DOCUMENT_WRITES}
MAX_NAME = 255


async def _upload(request: Request[Principal, str, Any], document_id: str | None) -> Upload:
    if request.content_type[0] != "multipart/form-data":
        raise UnsupportedMediaType("send the file as multipart/form-data in the field 'file'")
    form = await request.form()
    file = form.get("file")
    if not isinstance(file, UploadFile):
        raise InvalidInput("the multipart field 'file' with the document is missing")
    tags = form.get("tags")
    name = clean_name(PurePath(file.filename or "upload").name, max_length=MAX_NAME)
    return Upload(
        data=await file.read(),
        filename=name,
        principal=request.user,
        tags=split_tags(tags if isinstance(tags, str) else None),
        document_id=document_id,
    )


def _accepted(report: IngestReport) -> Response[UploadAccepted]:
    document, version = report.document, report.version
    body = UploadAccepted(
        document_id=document.id,
        version=version.number,
        status=version.status.value,
        status_url=f"/api/v1/docs/{document.id}/versions/{version.number}",
        created=report.created,
        pages_reused=report.pages_reused,
        pages_embedded=report.pages_embedded,
    )
    return Response(body, status_code=202 if report.created else 200)


class DocumentController(Controller):
    """Documents and their versions."""

    path = "/api/v1/docs"
    tags = ["documents"]
    guards = [requires(Role.READER)]

    @post("/", guards=[requires(Role.EDITOR)], opt=WRITE)
    async def upload(
        self,
        request: Request[Principal, str, Any],
        ingest_document: NamedDependency[IngestDocument],
    ) -> Response[UploadAccepted]:
        """Upload a file (multipart field `file`, optional comma-separated `tags`).

        202 with the new version; 200 with the existing one when the same bytes are live.
        """
        return _accepted(await ingest_document.execute(await _upload(request, None)))

    @put("/{document_id:str}", guards=[requires(Role.EDITOR)], opt=WRITE)
    async def new_version(
        self,
        document_id: FromPath[str],
        request: Request[Principal, str, Any],
        ingest_document: NamedDependency[IngestDocument],
    ) -> Response[UploadAccepted]:
        """Upload a new version; unchanged pages keep their chunks and embeddings."""
        return _accepted(await ingest_document.execute(await _upload(request, document_id)))

    @get("/")
    async def list_all(
        self,
        list_documents: NamedDependency[ListDocuments],
        tags: FromQuery[str | None] = None,
        status: FromQuery[VersionStatus | None] = None,
        include_deleted: FromQuery[bool] = False,
        offset: int = Parameter(default=0, ge=0),
        limit: int = Parameter(default=50, ge=1, le=200),
    ) -> DocumentPage:
        """Documents newest first, filtered by tags (all must match) and status."""
        query = DocumentQuery(
            tags=split_tags(tags),
            status=status,
            include_deleted=include_deleted,
            offset=offset,
            limit=limit,
        )
        listing = await list_documents.execute(query)
        items = [DocumentOut.of(d, with_versions=False) for d in listing.items]
        return DocumentPage(items=items, total=listing.total, offset=offset, limit=limit)

    @get("/{document_id:str}")
    async def one(
        self, document_id: FromPath[str], get_document: NamedDependency[GetDocument]
    ) -> DocumentOut:
        """One document with every version."""
        return DocumentOut.of(await get_document.execute(document_id))

    @get("/{document_id:str}/versions/{version:int}")
    async def version(
        self,
        document_id: FromPath[str],
        version: FromPath[int],
        get_document: NamedDependency[GetDocument],
    ) -> VersionOut:
        """One version: status, and the error of a failed one."""
        return VersionOut.of(await get_document.version(document_id, version))

    @patch("/{document_id:str}", guards=[requires(Role.EDITOR)], opt=WRITE)
    async def edit(
        self,
        document_id: FromPath[str],
        data: JSONBody[DocumentPatch],
        change_document: NamedDependency[ChangeDocument],
    ) -> DocumentOut:
        """Change tags or name; nothing is re-embedded."""
        tags = tuple(data.tags) if data.tags is not None else None
        change = DocumentChange(action="update", tags=tags, name=data.name)
        return DocumentOut.of(await change_document.execute(document_id, change))

    @delete("/{document_id:str}", guards=[requires(Role.EDITOR)], opt=WRITE, status_code=204)
    async def soft_delete(
        self, document_id: FromPath[str], change_document: NamedDependency[ChangeDocument]
    ) -> None:
        """Hide a document from answers and listings; restore undoes it."""
        await change_document.execute(document_id, DocumentChange(action="delete"))

    @post("/{document_id:str}/restore", guards=[requires(Role.EDITOR)], opt=WRITE, status_code=200)
    async def restore(
        self, document_id: FromPath[str], change_document: NamedDependency[ChangeDocument]
    ) -> DocumentOut:
        """Bring a soft-deleted document back, without re-embedding."""
        return DocumentOut.of(
            await change_document.execute(document_id, DocumentChange(action="restore"))
        )
