"""Log files: per process and UTC day, rotated by size and at midnight, gzipped, secrets masked."""

from __future__ import annotations

import gzip
import json
import logging
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import structlog

from askdocs.entrypoints.log_files import LogFileNames, ProcessLogFile
from askdocs.entrypoints.logging import LogFileSettings, configure_logging
from askdocs.entrypoints.settings import SettingsError
from tests.support.logging_setup import logging_restored

API_KEY = "askd_live_0123456789abcdef"
DSN = "postgresql://askdocs:hunter2-pw@db.internal:5432/askdocs"
BEARER = "Bearer abc.def-ghi_jkl"
LATE_EVENING = datetime(2026, 12, 6, 23, 59, 0, tzinfo=UTC).timestamp()
AFTER_MIDNIGHT = datetime(2026, 12, 7, 0, 0, 30, tzinfo=UTC).timestamp()


class SettableClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _lines(path: Path) -> list[str]:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return data.decode().splitlines()


def _handler(directory: Path, clock: SettableClock, *, backups: int = 3) -> ProcessLogFile:
    names = LogFileNames.of(str(directory), role="worker", pid=4242)
    handler = ProcessLogFile(names, max_bytes=1024, backups=backups, clock=clock)
    handler.setFormatter(logging.Formatter("%(message)s"))
    return handler


def _write(handler: ProcessLogFile, message: str) -> None:
    handler.handle(logging.makeLogRecord({"msg": message, "levelno": logging.INFO}))


def test_lines_past_the_size_limit_leave_gzipped_rotated_files_with_secrets_masked(
    tmp_path: Path,
) -> None:
    files = LogFileSettings(location=str(tmp_path), role="serve", max_bytes=2048, backups=20)
    with logging_restored():
        configure_logging(json="true", files=files)
        for n in range(40):
            structlog.get_logger("askdocs.test").info("connecting", n=n, url=DSN, api_key=API_KEY)
            logging.getLogger("somelibrary").warning("sent %s with %s (%d)", BEARER, API_KEY, n)

    rotated = sorted(tmp_path.glob("*.log.*.gz"))
    live = [path for path in tmp_path.iterdir() if path.name.endswith(".log")]
    assert len(rotated) >= 2
    assert len(live) == 1
    assert not [p for p in tmp_path.iterdir() if p not in rotated and p not in live]
    lines = [line for path in [*rotated, *live] for line in _lines(path)]
    records = [json.loads(line) for line in lines]
    assert sorted(r["n"] for r in records if r["event"] == "connecting") == list(range(40))
    assert len(records) == 80
    for path in [*rotated, *live]:
        text = "\n".join(_lines(path))
        assert "hunter2" not in text
        assert API_KEY not in text
        assert "abc.def" not in text
        assert "askdocs:***@db.internal" in text
        assert "Bearer ***" in text
        assert len(text.encode()) <= files.max_bytes


def test_the_day_change_rotates_the_file_and_opens_one_named_for_the_new_day(
    tmp_path: Path,
) -> None:
    clock = SettableClock(LATE_EVENING)
    handler = _handler(tmp_path, clock)
    _write(handler, "late on the sixth")
    clock.now = AFTER_MIDNIGHT
    _write(handler, "early on the seventh")
    handler.close()

    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "askdocs-worker-4242-2026-12-06.log.1.gz",
        "askdocs-worker-4242-2026-12-07.log",
    ]
    assert _lines(tmp_path / "askdocs-worker-4242-2026-12-06.log.1.gz") == ["late on the sixth"]
    assert _lines(tmp_path / "askdocs-worker-4242-2026-12-07.log") == ["early on the seventh"]


def test_a_day_without_lines_leaves_no_file_behind(tmp_path: Path) -> None:
    clock = SettableClock(LATE_EVENING)
    handler = _handler(tmp_path, clock)
    clock.now = AFTER_MIDNIGHT
    _write(handler, "the first line, after midnight")
    handler.close()

    assert [path.name for path in tmp_path.iterdir()] == ["askdocs-worker-4242-2026-12-07.log"]


def test_only_the_newest_rotated_files_are_kept_across_days(tmp_path: Path) -> None:
    clock = SettableClock(LATE_EVENING)
    handler = _handler(tmp_path, clock, backups=3)
    line = "x" * 300
    for n in range(12):  # four lines fill a file: three rotations on the sixth
        _write(handler, f"{n:02d} sixth {line}")
    clock.now = AFTER_MIDNIGHT
    for n in range(12, 20):
        _write(handler, f"{n:02d} seventh {line}")
    handler.close()

    rotated = sorted(path.name for path in tmp_path.glob("*.gz"))
    assert rotated == [
        "askdocs-worker-4242-2026-12-06.log.1.gz",
        "askdocs-worker-4242-2026-12-07.log.1.gz",
        "askdocs-worker-4242-2026-12-07.log.2.gz",
    ]
    kept = [int(text[:2]) for path in sorted(tmp_path.iterdir()) for text in _lines(path)]
    assert sorted(kept) == list(range(9, 20))  # the lines of the three oldest files are gone


def test_a_rotated_file_is_whole_and_compressed_once_its_handler_is_closed(
    tmp_path: Path,
) -> None:
    clock = SettableClock(LATE_EVENING)
    handler = _handler(tmp_path, clock)
    for n in range(5):
        _write(handler, f"{n} " + "y" * 300)
    handler.close()

    assert not list(tmp_path.glob("*.part"))
    assert not list(tmp_path.glob("*.log.1"))
    assert [line[0] for line in _lines(tmp_path / "askdocs-worker-4242-2026-12-06.log.1.gz")] == [
        "0",
        "1",
        "2",
    ]


def test_two_processes_write_two_files_named_by_their_pids(tmp_path: Path) -> None:
    program = (
        "import logging, os, sys\n"
        "from askdocs.entrypoints.logging import configure_logging_from\n"
        "from askdocs.entrypoints.settings import LogSettings\n"
        "configure_logging_from(LogSettings(file=sys.argv[1], json='true'), role='worker')\n"
        "for n in range(50):\n"
        "    logging.getLogger('askdocs.worker').info('from %d', os.getpid())\n"
        "print(os.getpid())\n"
    )
    children = [
        subprocess.Popen(
            [sys.executable, "-c", program, str(tmp_path / "logs") + "/"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for _ in range(2)
    ]
    pids = [int(child.communicate(timeout=60)[0]) for child in children]

    today = datetime.now(UTC).date().isoformat()  # the children's day, unless midnight passed
    for pid in pids:
        path = tmp_path / "logs" / f"askdocs-worker-{pid}-{today}.log"
        events = {json.loads(line)["event"] for line in _lines(path)}
        assert events == {f"from {pid}"}


def test_a_path_gives_the_files_its_directory_stem_and_suffix() -> None:
    names = LogFileNames.of("/var/log/askdocs/app.jsonl", role="serve", pid=7)

    assert str(names.on(datetime(2026, 12, 6, tzinfo=UTC).date())) == (
        "/var/log/askdocs/app-serve-7-2026-12-06.jsonl"
    )


def test_a_location_that_cannot_be_a_directory_stops_the_start_naming_the_setting(
    tmp_path: Path,
) -> None:
    (tmp_path / "a-file").write_text("")
    files = LogFileSettings(
        location=str(tmp_path / "a-file" / "logs") + "/", role="serve", max_bytes=2048, backups=2
    )
    with logging_restored(), pytest.raises(SettingsError, match=r"log\.file"):
        configure_logging(json="true", files=files)
