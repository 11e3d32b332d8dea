"""How a version moves from queued to ready or failed, and the retry backoff."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from askdocs.domain.documents import DocumentVersion, PageRef, VersionStatus
from askdocs.domain.errors import InvalidTransition
from askdocs.domain.ingestion import (
    MAX_ERROR_LENGTH,
    RetryPolicy,
    failed,
    finished,
    parsed,
    progressed,
    requeued,
    started,
    waiting_to_retry,
)

QUEUED = DocumentVersion(
    number=1,
    content_hash="c" * 64,
    media_type="application/pdf",
    file_size=10,
    uploaded_at=datetime(2025, 1, 1, tzinfo=UTC),
    author="alice",
    status=VersionStatus.QUEUED,
)
PAGES = (PageRef(1, "a" * 64), PageRef(2, "b" * 64), PageRef(3, "c" * 64))


def test_a_version_goes_from_queued_to_ready_counting_pages_and_attempts() -> None:
    working = parsed(started(QUEUED), PAGES, paginated=True, media_type="application/pdf")
    assert (working.status, working.attempts, working.pages_total) == (
        VersionStatus.PROCESSING,
        1,
        3,
    )
    assert progressed(working, 2).pages_done == 2
    assert progressed(working, 9).pages_done == 3  # never past the total
    done = finished(progressed(working, 1))
    assert (done.status, done.pages_done, done.error) == (VersionStatus.READY, 3, None)


def test_a_redelivered_version_in_processing_starts_again_as_another_attempt() -> None:
    assert started(started(QUEUED)).attempts == 2


@pytest.mark.parametrize("status", [VersionStatus.READY, VersionStatus.FAILED])
def test_a_settled_version_cannot_start(status: VersionStatus) -> None:
    with pytest.raises(InvalidTransition, match=f"it is {status.value}"):
        started(dataclasses.replace(QUEUED, status=status))


def test_only_a_failed_version_is_requeued_and_its_attempts_start_over() -> None:
    broken = dataclasses.replace(failed(started(QUEUED), "no text"), pages_done=3)
    again = requeued(broken)
    assert (again.status, again.error, again.attempts) == (VersionStatus.QUEUED, None, 0)
    assert again.pages_done == 0
    with pytest.raises(InvalidTransition, match=r"^cannot retry version 1: it is queued$"):
        requeued(QUEUED)


def test_a_retry_wait_keeps_the_reason_and_long_reasons_are_clipped() -> None:
    waiting = waiting_to_retry(started(QUEUED), "x" * 2000)
    assert waiting.status is VersionStatus.QUEUED
    assert waiting.error is not None
    assert len(waiting.error) == MAX_ERROR_LENGTH


def test_backoff_doubles_up_to_its_cap_and_stops_at_the_last_attempt() -> None:
    policy = RetryPolicy(max_attempts=8, first_delay_s=5, max_delay_s=60)
    assert [policy.delay_after(n) for n in range(1, 9)] == [5, 10, 20, 40, 60, 60, 60, None]


@pytest.mark.parametrize(
    ("move", "action"), [(failed, "fail"), (waiting_to_retry, "requeue")], ids=["fail", "requeue"]
)
def test_a_settled_version_can_neither_fail_nor_wait_again(
    move: Callable[[DocumentVersion, str], DocumentVersion], action: str
) -> None:
    ready = dataclasses.replace(QUEUED, status=VersionStatus.READY)

    with pytest.raises(InvalidTransition, match=rf"^cannot {action} version 1: it is ready$"):
        move(ready, "reason")


def test_a_failure_without_a_reason_says_ingestion_failed() -> None:
    assert failed(started(QUEUED), "").error == "ingestion failed"


def test_a_reason_as_long_as_the_limit_is_kept_whole_and_a_longer_one_ends_in_an_ellipsis() -> None:
    whole = "x" * MAX_ERROR_LENGTH

    assert failed(started(QUEUED), whole).error == whole
    assert failed(started(QUEUED), whole + "y").error == "x" * (MAX_ERROR_LENGTH - 1) + "…"
