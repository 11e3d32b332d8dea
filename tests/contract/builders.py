"""Small builders of domain objects for the contract suites: defaults for everything."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from askdocs.application.ports.index import IndexedChunk, Liveness, LivePage
from askdocs.domain.answers import Answer, Passage
from askdocs.domain.chunking import Chunk, chunk_id
from askdocs.domain.conversations import Turn
from askdocs.domain.documents import Document, DocumentVersion, PageRef, VersionStatus
from askdocs.domain.principals import ApiKey, Role

EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
MODEL = "test-model"


def at(minutes: float) -> datetime:
    """A fixed, timezone-aware moment `minutes` after EPOCH."""
    return EPOCH + timedelta(minutes=minutes)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_version(
    number: int = 1,
    *,
    content: str | None = None,
    status: VersionStatus = VersionStatus.READY,
    pages: Sequence[str] = ("page one",),
    uploaded_at: datetime = EPOCH,
) -> DocumentVersion:
    """A version whose content hash is the SHA-256 of `content` (by default, of its number)."""
    return DocumentVersion(
        number=number,
        content_hash=sha(content if content is not None else f"content {number}"),
        media_type="text/plain",
        file_size=100 * number,
        uploaded_at=uploaded_at,
        author="alice",
        pages=tuple(PageRef(number=i, sha256=sha(text)) for i, text in enumerate(pages, 1)),
        status=status,
        error="parse failed" if status is VersionStatus.FAILED else None,
    )


def make_document(
    document_id: str = "doc-1",
    *,
    name: str | None = None,
    tags: Sequence[str] = (),
    created_at: datetime = EPOCH,
    versions: Sequence[DocumentVersion] | None = None,
    deleted_at: datetime | None = None,
) -> Document:
    """A document with one ready version unless `versions` says otherwise."""
    return Document(
        id=document_id,
        name=name or f"{document_id}.txt",
        created_at=created_at,
        author="alice",
        tags=tuple(tags),
        versions=tuple(versions) if versions is not None else (make_version(),),
        deleted_at=deleted_at,
    )


def make_chunk(document_id: str, page_text: str, ordinal: int = 0, text: str = "") -> Chunk:
    """A chunk of the page whose text is `page_text`; its own text defaults to the page's."""
    page_sha = sha(page_text)
    body = text or page_text
    return Chunk(
        id=chunk_id(document_id, page_sha, ordinal),
        document_id=document_id,
        page_sha256=page_sha,
        ordinal=ordinal,
        text=body,
        token_count=len(body.split()),
    )


def direction(angle: float, dim: int = 4) -> list[float]:
    """A unit vector at `angle` radians in the plane of the first two axes."""
    return [math.cos(angle), math.sin(angle), *([0.0] * (dim - 2))]


def make_indexed(
    chunk: Chunk, embedding: Sequence[float] | None = None, *, model: str = MODEL
) -> IndexedChunk:
    return IndexedChunk(
        chunk=chunk, embedding=list(embedding or direction(0.0)), embedding_model=model
    )


def make_liveness(
    document_id: str,
    pages: Sequence[tuple[str, int | None]],
    *,
    tags: Sequence[str] = (),
    version: int = 1,
) -> Liveness:
    """Liveness for pages given as (page text, page number)."""
    return Liveness(
        document_id=document_id,
        document_name=f"{document_id}.txt",
        version=version,
        tags=tuple(tags),
        pages=tuple(LivePage(page_sha256=sha(text), page_no=no) for text, no in pages),
    )


def make_answer(text: str = "Forty-two.") -> Answer:
    passage = Passage(
        chunk_id="doc-1:abc:0",
        document_id="doc-1",
        document="doc-1.txt",
        version=1,
        page=1,
        text="The answer is forty-two.",
        score=0.5,
        tags=("guide",),
    )
    return Answer(text=text, sources=(passage,), model="extractive", provider="extractive")


def make_turn(question: str, minutes: float = 0) -> Turn:
    return Turn(question=question, answer=f"answer to {question}", at=at(minutes))


def make_api_key(token: str, *, role: Role = Role.READER, revoked: bool = False) -> ApiKey:
    return ApiKey(
        token_sha256=sha(token),
        role=role,
        created_at=EPOCH,
        revoked_at=at(60) if revoked else None,
    )
