"""Documents, their versions and pages.

A document has a name, tags and a history of versions. Each version lists its pages by the
SHA-256 of their text, so two versions share a page exactly when its text is unchanged: that is
what lets ingestion reuse chunks and embeddings of unchanged pages.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime

from askdocs.domain.errors import DocumentDeleted, InvalidTag

MAX_TAG_LENGTH = 64
MAX_TAGS = 32


class VersionStatus(enum.StrEnum):
    """Where a version is on its way to being searchable."""

    QUEUED = "queued"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


_ON_ITS_WAY = (VersionStatus.READY, VersionStatus.QUEUED, VersionStatus.PROCESSING)


@dataclasses.dataclass(frozen=True, slots=True)
class Page:
    """The text of one page, with its 1-based position in the file."""

    number: int
    text: str

    @property
    def sha256(self) -> str:
        return page_digest(self.text)


def page_digest(text: str) -> str:
    """The SHA-256 of a page's text, the key under which its chunks are stored."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_digest(data: bytes) -> str:
    """The SHA-256 of an uploaded file's bytes."""
    return hashlib.sha256(data).hexdigest()


@dataclasses.dataclass(frozen=True, slots=True)
class PageRef:
    """A page of a version: its number and the digest of its text."""

    number: int
    sha256: str


@dataclasses.dataclass(frozen=True, slots=True)
class DocumentVersion:
    """One uploaded revision of a document."""

    number: int
    content_hash: str
    media_type: str
    file_size: int
    uploaded_at: datetime
    author: str
    pages: tuple[PageRef, ...] = ()
    paginated: bool = True
    status: VersionStatus = VersionStatus.READY
    error: str | None = None
    source_url: str | None = None
    pages_done: int = 0
    pages_total: int | None = None
    attempts: int = 0
    file_name: str = ""
    """The name this version was uploaded under (a new version may come under another)."""

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def settled(self) -> bool:
        """Ready or failed: nothing more will happen to it unless someone retries it."""
        return self.status in (VersionStatus.READY, VersionStatus.FAILED)


@dataclasses.dataclass(frozen=True, slots=True)
class Document:
    """An uploaded document and every version it has had."""

    id: str
    name: str
    created_at: datetime
    author: str
    tags: tuple[str, ...] = ()
    versions: tuple[DocumentVersion, ...] = ()
    deleted_at: datetime | None = None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def current(self) -> DocumentVersion | None:
        """The newest version that is ready, which is the one answers come from."""
        ready = [v for v in self.versions if v.status is VersionStatus.READY]
        return ready[-1] if ready else None

    @property
    def newest(self) -> DocumentVersion | None:
        return self.versions[-1] if self.versions else None

    def version(self, number: int) -> DocumentVersion | None:
        return next((v for v in self.versions if v.number == number), None)

    def known_page_digests(self) -> frozenset[str]:
        """Digests of the pages of ready versions: their chunks all exist.

        A version that failed or died half-way may have embedded only some of its pages, so
        its pages count as unknown and a later ingestion embeds them again (adds are
        idempotent by chunk id).
        """
        return frozenset(
            ref.sha256 for v in self.versions if v.status is VersionStatus.READY for ref in v.pages
        )

    def same_bytes(self, content_hash: str) -> DocumentVersion | None:
        """The version a re-upload of these bytes amounts to: the current one, or a newer one
        still on its way (queued or processing)."""
        current = self.current
        for version in reversed(self.versions):
            if current is not None and version.number < current.number:
                break
            if version.content_hash == content_hash and version.status in _ON_ITS_WAY:
                return version
        return None

    def with_version_replaced(self, version: DocumentVersion) -> Document:
        return dataclasses.replace(
            self,
            versions=tuple(version if v.number == version.number else v for v in self.versions),
        )

    def without_version(self, number: int) -> Document:
        return dataclasses.replace(
            self, versions=tuple(v for v in self.versions if v.number != number)
        )

    def with_version(self, version: DocumentVersion) -> Document:
        if self.is_deleted:
            raise DocumentDeleted(self.id)
        return dataclasses.replace(self, versions=(*self.versions, version))

    def next_version_number(self) -> int:
        return max((v.number for v in self.versions), default=0) + 1

    def deleted(self, now: datetime) -> Document:
        return self if self.is_deleted else dataclasses.replace(self, deleted_at=now)

    def restored(self) -> Document:
        return dataclasses.replace(self, deleted_at=None)

    def retagged(self, tags: Iterable[str]) -> Document:
        return dataclasses.replace(self, tags=normalise_tags(tags))

    def renamed(self, name: str) -> Document:
        return dataclasses.replace(self, name=name)


def normalise_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Trim, drop empties and duplicates, keep first-seen order; reject malformed tags."""
    seen: dict[str, None] = {}
    for raw in tags:
        tag = raw.strip()
        if not tag:
            continue
        if len(tag) > MAX_TAG_LENGTH or "," in tag or not tag.isprintable():
            raise InvalidTag(
                f"tag {tag[:20]!r} is longer than {MAX_TAG_LENGTH}, holds a comma "
                "or a control character"
            )
        seen.setdefault(tag, None)
    if len(seen) > MAX_TAGS:
        raise InvalidTag(f"a document takes at most {MAX_TAGS} tags")
    return tuple(seen)


def clean_name(raw: str, *, max_length: int = 255) -> str:
    """A document name without control characters or surrounding space, never empty."""
    name = "".join(ch for ch in raw if ch.isprintable()).strip()[:max_length]
    return name or "untitled"


def split_tags(text: str | None) -> tuple[str, ...]:
    """Tags from a comma-separated form field."""
    return normalise_tags(text.split(",")) if text else ()


def page_refs(pages: Sequence[Page]) -> tuple[PageRef, ...]:
    return tuple(PageRef(number=p.number, sha256=p.sha256) for p in pages)
