"""`askdocs ingest` says, once, when no uploaded version leaves the queue."""

from __future__ import annotations

from askdocs.entrypoints.cli.idle_queue import IdleQueueWatch


def test_the_hint_is_due_once_when_every_version_stays_queued_past_the_deadline() -> None:
    watch = IdleQueueWatch(started_at=100.0, after_s=15.0)
    watch.observe("queued")
    assert not watch.hint_due(114.9)

    watch.observe("queued")

    assert [watch.hint_due(now) for now in (115.0, 116.0, 200.0)] == [True, False, False]


def test_no_hint_once_any_version_has_left_the_queue() -> None:
    watch = IdleQueueWatch(started_at=100.0, after_s=15.0)
    watch.observe("queued")
    watch.observe("processing")

    assert not watch.hint_due(1_000.0)


def test_the_hint_names_the_wait_the_worker_command_and_the_setting() -> None:
    hint = IdleQueueWatch(started_at=0.0, after_s=15.0).hint

    assert "15 s" in hint
    assert "`askdocs worker`" in hint
    assert "ASKDOCS_WORKER__IN_SERVE" in hint
