"""How a version moves from queued to ready or failed, and how often a failure is retried.

    queued -> processing -> ready
                        \\-> failed -> queued (retried by someone)
                        \\-> queued (an upstream failure, tried again later)

A version in processing may be taken up again by another worker after a crash: at-least-once
delivery means `started` accepts a version that is already processing.
"""

from __future__ import annotations

import dataclasses

from askdocs.domain.documents import DocumentVersion, PageRef, VersionStatus
from askdocs.domain.errors import InvalidTransition

MAX_ERROR_LENGTH = 500


def started(version: DocumentVersion) -> DocumentVersion:
    """The version taken up by a worker, counting the attempt."""
    _require(version, (VersionStatus.QUEUED, VersionStatus.PROCESSING), "start")
    return dataclasses.replace(
        version, status=VersionStatus.PROCESSING, attempts=version.attempts + 1, error=None
    )


def parsed(
    version: DocumentVersion, pages: tuple[PageRef, ...], *, paginated: bool, media_type: str
) -> DocumentVersion:
    """The version with its pages known, none of them embedded yet."""
    _require(version, (VersionStatus.PROCESSING,), "record the pages of")
    return dataclasses.replace(
        version,
        pages=pages,
        paginated=paginated,
        media_type=media_type,
        pages_done=0,
        pages_total=len(pages),
    )


def progressed(version: DocumentVersion, pages_done: int) -> DocumentVersion:
    """The version with `pages_done` of its pages chunked and embedded."""
    _require(version, (VersionStatus.PROCESSING,), "report progress on")
    total = version.pages_total or 0
    return dataclasses.replace(version, pages_done=max(0, min(pages_done, total)))


def finished(version: DocumentVersion) -> DocumentVersion:
    """The version searchable: every page embedded."""
    _require(version, (VersionStatus.PROCESSING,), "finish")
    return dataclasses.replace(
        version, status=VersionStatus.READY, pages_done=version.pages_total or 0, error=None
    )


def failed(version: DocumentVersion, reason: str) -> DocumentVersion:
    """The version given up on, with the reason a person can act on."""
    _require(version, (VersionStatus.QUEUED, VersionStatus.PROCESSING), "fail")
    return dataclasses.replace(
        version, status=VersionStatus.FAILED, error=_clip(reason or "ingestion failed")
    )


def waiting_to_retry(version: DocumentVersion, reason: str) -> DocumentVersion:
    """The version back in the queue after a failure that may pass (a provider down)."""
    _require(version, (VersionStatus.PROCESSING,), "requeue")
    return dataclasses.replace(version, status=VersionStatus.QUEUED, error=_clip(reason))


def requeued(version: DocumentVersion) -> DocumentVersion:
    """A failed version queued again because someone asked for it; attempts start over."""
    _require(version, (VersionStatus.FAILED,), "retry")
    return dataclasses.replace(
        version, status=VersionStatus.QUEUED, error=None, attempts=0, pages_done=0
    )


@dataclasses.dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff for failures that may pass, with a cap and a last attempt."""

    max_attempts: int
    first_delay_s: float
    max_delay_s: float = 300.0

    def delay_after(self, attempt: int) -> float | None:
        """Seconds to wait after failed attempt number `attempt` (from 1), or None: give up."""
        if attempt >= self.max_attempts:
            return None
        return float(min(self.max_delay_s, self.first_delay_s * 2 ** max(attempt - 1, 0)))


def _require(version: DocumentVersion, allowed: tuple[VersionStatus, ...], action: str) -> None:
    if version.status not in allowed:
        raise InvalidTransition(
            f"cannot {action} version {version.number}: it is {version.status.value}"
        )


def _clip(reason: str) -> str:
    return reason if len(reason) <= MAX_ERROR_LENGTH else reason[: MAX_ERROR_LENGTH - 1] + "…"
