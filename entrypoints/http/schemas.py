"""Request and response bodies of askdocs' own API (msgspec Structs)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

import askdocs
from askdocs.domain.answers import Passage
from askdocs.domain.documents import Document, DocumentVersion
from askdocs.domain.feedback import Feedback
from askdocs.entrypoints.http.field_rules import (
    Comment,
    DocumentName,
    MaxTokens,
    Question,
    Tag,
    Temperature,
    TopK,
    TraceId,
)

SNIPPET_CHARS = 300
QUOTE_CONTEXT_CHARS = 120
"""Characters of the passage shown on each side of a quote, in its snippet."""


class Strict(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base of request bodies: unknown fields are an error, not silently dropped."""


class Out(msgspec.Struct, frozen=True, kw_only=True):
    """Base of response bodies."""


class MeOut(Out, frozen=True):
    subject: str
    role: str
    max_upload_bytes: int


class ChatBody(Strict, frozen=True):
    question: Question
    session_id: str | None = None
    model: str | None = None
    top_k: TopK = None
    tags: list[Tag] = msgspec.field(default_factory=list)
    stream: bool = False
    temperature: Temperature = None
    max_tokens: MaxTokens = None


class Source(Out, frozen=True):
    document_id: str
    document: str
    version: int
    page: int | None
    chunk_id: str
    score: float
    snippet: str
    tags: list[str]
    section: str | None = None
    quote_start: int | None = None
    quote_end: int | None = None

    @classmethod
    def of(cls, passage: Passage) -> Source:
        """The passage as a source: its snippet is the quoted text with some context around
        it (`snippet[quote_start:quote_end]` is the quote), or its start when not quoted."""
        snippet = passage.text[:SNIPPET_CHARS]
        quote: tuple[int | None, int | None] = (None, None)
        if passage.quote is not None:
            snippet, quote = quote_snippet(passage.text, *passage.quote)
        return cls(
            document_id=passage.document_id,
            document=passage.document,
            version=passage.version,
            page=passage.page,
            chunk_id=passage.chunk_id,
            score=round(passage.score, 6),
            snippet=snippet,
            tags=list(passage.tags),
            section=passage.section or None,
            quote_start=quote[0],
            quote_end=quote[1],
        )


def quote_snippet(text: str, start: int, end: int) -> tuple[str, tuple[int, int]]:
    """`text[start:end]` with up to QUOTE_CONTEXT_CHARS around it, cut at white space, and
    where the quote sits in that snippet."""
    begin = max(0, start - QUOTE_CONTEXT_CHARS)
    if begin > 0:
        space = text.find(" ", begin, start)
        begin = space + 1 if space >= 0 else start
    finish = min(len(text), end + QUOTE_CONTEXT_CHARS)
    if finish < len(text):
        space = text.rfind(" ", end, finish)
        finish = space if space >= 0 else end
    return text[begin:finish], (start - begin, end - begin)


class ChatReply(Out, frozen=True):
    answer: str
    sources: list[Source]
    session_id: str
    model: str
    provider: str
    cached: bool
    degraded: bool
    trace_id: str
    warnings: list[str] = msgspec.field(default_factory=list)
    answered: bool = True


class UploadAccepted(Out, frozen=True):
    document_id: str
    version: int
    status: str
    status_url: str
    created: bool


class UrlUpload(Strict, frozen=True):
    url: str
    tags: list[Tag] = msgspec.field(default_factory=list)


class VersionOut(Out, frozen=True):
    version: int
    name: str
    status: str
    error: str | None
    content_hash: str
    media_type: str
    file_size: int
    page_count: int
    uploaded_at: datetime
    author: str
    source_url: str | None
    pages_done: int
    pages_total: int | None
    attempts: int

    @classmethod
    def of(cls, version: DocumentVersion) -> VersionOut:
        return cls(
            version=version.number,
            name=version.file_name,
            status=version.status.value,
            error=version.error,
            content_hash=version.content_hash,
            media_type=version.media_type,
            file_size=version.file_size,
            page_count=version.page_count,
            uploaded_at=version.uploaded_at,
            author=version.author,
            source_url=version.source_url,
            pages_done=version.pages_done,
            pages_total=version.pages_total,
            attempts=version.attempts,
        )


class DocumentOut(Out, frozen=True):
    id: str
    name: str
    tags: list[str]
    author: str
    created_at: datetime
    deleted: bool
    deleted_at: datetime | None
    status: str | None
    current_version: int | None
    newest_version: int | None
    versions: list[VersionOut]

    @classmethod
    def of(cls, document: Document, *, with_versions: bool = True) -> DocumentOut:
        newest, current = document.newest, document.current
        return cls(
            id=document.id,
            name=document.name,
            tags=list(document.tags),
            author=document.author,
            created_at=document.created_at,
            deleted=document.is_deleted,
            deleted_at=document.deleted_at,
            status=newest.status.value if newest else None,
            current_version=current.number if current else None,
            newest_version=newest.number if newest else None,
            versions=[VersionOut.of(v) for v in document.versions] if with_versions else [],
        )


class DocumentPage(Out, frozen=True):
    items: list[DocumentOut]
    total: int
    offset: int
    limit: int


class DocumentPatch(Strict, frozen=True):
    tags: list[Tag] | None = None
    name: DocumentName = None


class LimitOut(Out, frozen=True):
    limit: int
    remaining: int
    used: int
    reset: int


class RateLimitStatusOut(Out, frozen=True):
    limit: int
    remaining: int
    used: int
    reset: int
    group: str
    """The group the top-level figures are from: the one with least left."""
    groups: dict[str, LimitOut]


class Health(Out, frozen=True):
    status: str
    checks: dict[str, str] = msgspec.field(default_factory=dict)
    version: str = askdocs.__version__
    """The askdocs release this process runs."""


class FeedbackBody(Strict, frozen=True):
    trace_id: TraceId
    rating: Literal["up", "down"]
    comment: Comment = ""


class FeedbackOut(Out, frozen=True):
    id: str
    trace_id: str
    rating: str
    comment: str
    subject: str
    created_at: datetime

    @classmethod
    def of(cls, feedback: Feedback) -> FeedbackOut:
        return cls(
            id=feedback.id,
            trace_id=feedback.trace_id,
            rating=feedback.rating.value,
            comment=feedback.comment,
            subject=feedback.subject,
            created_at=feedback.created_at,
        )


class FeedbackPageOut(Out, frozen=True):
    items: list[FeedbackOut]
    total: int
    offset: int
    limit: int
