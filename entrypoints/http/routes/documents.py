"""/api/v1/docs: upload, new version, list, read, edit, soft delete and restore."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any
from urllib.parse import quote

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from askdocs.application.change_document import ChangeDocument, DocumentChange
from askdocs.application.change_version import DeleteVersion, RetryIngestion
from askdocs.application.errors import InvalidInput, UnsupportedMediaType
from askdocs.application.get_document import GetDocument
from askdocs.application.list_documents import ListDocuments
from askdocs.application.ports import DocumentQuery
from askdocs.application.read_original import ReadOriginal
from askdocs.application.submit_document import Submission, SubmitDocument, Upload
from askdocs.application.submit_url import SubmitUrl
from askdocs.domain.documents import VersionStatus, clean_name, normalise_tags, split_tags
from askdocs.domain.principals import Principal, Role
from askdocs.entrypoints.http.field_rules import TagList
from askdocs.entrypoints.http.openapi import JSON_BODY, documented
from askdocs.entrypoints.http.operations import OriginalFileOperation, UploadOperation
from askdocs.entrypoints.http.schemas import (
    DocumentOut,
    DocumentPage,
    DocumentPatch,
    UploadAccepted,
    UrlUpload,
    VersionOut,
)
from askdocs.entrypoints.http.security import requires
from askdocs.entrypoints.wiring import DOCUMENT_WRITES

WRITE = {"rate_limit": DOCUMENT_WRITES}
MAX_NAME = 255
UPLOAD_PROBLEMS = (400, 403, 413, 415, 422, 429)
SAME_BYTES = {
    200: ResponseSpec(
        UploadAccepted,
        description="The same bytes are live or on their way already: that version.",
        generate_examples=False,
    )
}
UPLOAD = documented(*UPLOAD_PROBLEMS, operation=UploadOperation, responses=SAME_BYTES)
NEW_VERSION = documented(
    *UPLOAD_PROBLEMS, 404, 409, operation=UploadOperation, responses=SAME_BYTES
)


async def _submit(
    request: Request[Principal, str, Any],
    document_id: str | None,
    submit_document: SubmitDocument,
    submit_url: SubmitUrl,
) -> Response[UploadAccepted]:
    """A multipart file, or JSON naming a URL to fetch."""
    # One route takes two body types, so the body is read by hand rather than declared.
    kind = request.content_type[0]
    if kind == "application/json":
        try:
            body = msgspec.json.decode(await request.body(), type=UrlUpload)
        except msgspec.DecodeError as exc:
            raise InvalidInput(f"the body is not a valid URL upload: {exc}") from exc
        submission = await submit_url.execute(
            body.url, request.user, tags=normalise_tags(body.tags), document_id=document_id
        )
        return _accepted(submission)
    if kind != "multipart/form-data":
        raise UnsupportedMediaType(
            "send the file as multipart/form-data in the field 'file', or JSON {\"url\": ...}"
        )
    form = await request.form()
    file = form.get("file")
    if not isinstance(file, UploadFile):
        raise InvalidInput("the multipart field 'file' with the document is missing")
    tags = form.get("tags")
    name = clean_name(PurePath(file.filename or "upload").name, max_length=MAX_NAME)
    upload = Upload(
        data=await file.read(),
        filename=name,
        principal=request.user,
        tags=split_tags(tags if isinstance(tags, str) else None),
        document_id=document_id,
    )
    return _accepted(await submit_document.execute(upload))


def _accepted(submission: Submission) -> Response[UploadAccepted]:
    document, version = submission.document, submission.version
    body = UploadAccepted(
        document_id=document.id,
        version=version.number,
        status=version.status.value,
        status_url=f"/api/v1/docs/{document.id}/versions/{version.number}",
        created=submission.created,
    )
    return Response(
        body,
        status_code=202 if submission.created else 200,
        headers={"Location": body.status_url},
    )


class DocumentController(Controller):
    """Documents and their versions."""

    path = "/api/v1/docs"
    tags = ["documents"]
    guards = [requires(Role.READER)]

    @post("/", guards=[requires(Role.EDITOR)], opt=WRITE, status_code=202, **UPLOAD)
    async def upload(
        self,
        request: Request[Principal, str, Any],
        submit_document: NamedDependency[SubmitDocument],
        submit_url: NamedDependency[SubmitUrl],
    ) -> Response[UploadAccepted]:
        """Upload a file (multipart field `file`, optional comma-separated `tags`), or JSON
        `{"url": ..., "tags": [...]}` to fetch one.

        202 with the queued version and its status URL (also in `Location`); 200 with the
        existing version when the same bytes are live or on their way already.
        """
        return await _submit(request, None, submit_document, submit_url)

    @put(
        "/{document_id:str}",
        guards=[requires(Role.EDITOR)],
        opt=WRITE,
        status_code=202,
        **NEW_VERSION,
    )
    async def new_version(
        self,
        document_id: FromPath[str],
        request: Request[Principal, str, Any],
        submit_document: NamedDependency[SubmitDocument],
        submit_url: NamedDependency[SubmitUrl],
    ) -> Response[UploadAccepted]:
        """Upload a new version; unchanged pages keep their chunks and embeddings."""
        return await _submit(request, document_id, submit_document, submit_url)

    @get("/", **documented(422))
    async def list_all(
        self,
        list_documents: NamedDependency[ListDocuments],
        tags: FromQuery[TagList | None] = None,
        status: FromQuery[VersionStatus | None] = None,
        q: str | None = Parameter(default=None, max_length=200),
        include_deleted: FromQuery[bool] = False,
        offset: int = Parameter(default=0, ge=0, le=1_000_000),
        limit: int = Parameter(default=50, ge=1, le=200),
    ) -> DocumentPage:
        """Documents newest first, filtered by tags (all must match), the status of the newest
        version, and `q`, text found in the name (case-insensitive)."""
        query = DocumentQuery(
            tags=split_tags(tags),
            status=status,
            text=q.strip() or None if q else None,
            include_deleted=include_deleted,
            offset=offset,
            limit=limit,
        )
        listing = await list_documents.execute(query)
        items = [DocumentOut.of(d, with_versions=False) for d in listing.items]
        return DocumentPage(items=items, total=listing.total, offset=offset, limit=limit)

    @get("/{document_id:str}", **documented(404))
    async def one(
        self, document_id: FromPath[str], get_document: NamedDependency[GetDocument]
    ) -> DocumentOut:
        """One document with every version."""
        return DocumentOut.of(await get_document.execute(document_id))

    @get("/{document_id:str}/versions/{version:int}", **documented(404))
    async def version(
        self,
        document_id: FromPath[str],
        version: FromPath[int],
        get_document: NamedDependency[GetDocument],
    ) -> VersionOut:
        """One version: status, progress (pages done of the total), and the error of a
        failed one."""
        return VersionOut.of(await get_document.version(document_id, version))

    @get(
        "/{document_id:str}/versions/{version:int}/file",
        **documented(404, operation=OriginalFileOperation),
    )
    async def original(
        self,
        document_id: FromPath[str],
        version: FromPath[int],
        read_original: NamedDependency[ReadOriginal],
    ) -> Response[bytes]:
        """The stored original of a version, as uploaded (a PDF opens at `#page=N`); 404 for
        a deleted document."""
        original = await read_original.execute(document_id, version)
        name = quote(original.file_name, safe="")
        return Response(
            content=original.data,
            media_type=original.media_type,
            headers={
                "content-disposition": f"inline; filename*=UTF-8''{name}",
                # Served as its own type: an uploaded HTML page runs no script, loads nothing.
                "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; "
                "img-src data:; sandbox",
            },
        )

    @post(
        "/{document_id:str}/versions/{version:int}/retry",
        guards=[requires(Role.EDITOR)],
        opt=WRITE,
        status_code=202,
        **documented(403, 404, 409, 429),
    )
    async def retry(
        self,
        document_id: FromPath[str],
        version: FromPath[int],
        retry_ingestion: NamedDependency[RetryIngestion],
    ) -> VersionOut:
        """Queue a failed version again; 409 unless it failed."""
        return VersionOut.of(await retry_ingestion.execute(document_id, version))

    @delete(
        "/{document_id:str}/versions/{version:int}",
        guards=[requires(Role.EDITOR)],
        opt=WRITE,
        status_code=204,
        **documented(403, 404, 409, 429),
    )
    async def delete_failed_version(
        self,
        document_id: FromPath[str],
        version: FromPath[int],
        delete_version: NamedDependency[DeleteVersion],
    ) -> None:
        """Remove a failed version for good; 409 unless it failed."""
        await delete_version.execute(document_id, version)

    @patch(
        "/{document_id:str}",
        guards=[requires(Role.EDITOR)],
        opt=WRITE,
        **documented(*JSON_BODY, 403, 404, 409),
    )
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

    @delete(
        "/{document_id:str}",
        guards=[requires(Role.EDITOR)],
        opt=WRITE,
        status_code=204,
        **documented(403, 404, 429),
    )
    async def soft_delete(
        self, document_id: FromPath[str], change_document: NamedDependency[ChangeDocument]
    ) -> None:
        """Hide a document from answers and listings; restore undoes it."""
        await change_document.execute(document_id, DocumentChange(action="delete"))

    @post(
        "/{document_id:str}/restore",
        guards=[requires(Role.EDITOR)],
        opt=WRITE,
        status_code=200,
        **documented(403, 404, 409, 429),
    )
    async def restore(
        self, document_id: FromPath[str], change_document: NamedDependency[ChangeDocument]
    ) -> DocumentOut:
        """Bring a soft-deleted document back, without re-embedding."""
        return DocumentOut.of(
            await change_document.execute(document_id, DocumentChange(action="restore"))
        )
