"""Log files: one per process and UTC day, rotated by size and at midnight, rotated files gzipped.

A file's name carries the process's role and pid, so the server's processes and the ingestion
workers never write one file, and the UTC day (the lines' timestamps are UTC too). Rotation
goes through the standard library's hooks: `namer` adds `.gz`, `rotator` renames the full file
aside (fast, under the handler's lock) and compresses it on a thread, so a request that happens
to log the line that fills a file does not wait for gzip. Each process deletes its own oldest
rotated files beyond `backups`; files of processes that have stopped are left for the operator.
"""

from __future__ import annotations

import dataclasses
import gzip
import logging
import os
import re
import shutil
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from logging.handlers import RotatingFileHandler
from pathlib import Path

COMPRESSED = ".gz"


@dataclasses.dataclass(frozen=True, kw_only=True)
class LogFileNames:
    """Where one process's log files go and what they are called:
    `<stem>-<role>-<pid>-<YYYY-MM-DD><suffix>`, rotated ones `...<suffix>.<n>.gz`."""

    directory: Path
    stem: str
    suffix: str
    role: str
    pid: int

    @classmethod
    def of(cls, location: str, *, role: str, pid: int) -> LogFileNames:
        """Names under `location`: an existing directory or one written with a trailing `/`
        holds `askdocs-...log` files; any other path gives its directory, stem and suffix."""
        path = Path(location).expanduser()
        if location.endswith(("/", os.sep)) or path.is_dir():
            return cls(directory=path, stem="askdocs", suffix=".log", role=role, pid=pid)
        return cls(directory=path.parent, stem=path.stem, suffix=path.suffix, role=role, pid=pid)

    def on(self, day: date) -> Path:
        """The live file of `day`."""
        return self.directory / f"{self.stem}-{self.role}-{self.pid}-{day.isoformat()}{self.suffix}"

    def rotated(self) -> list[Path]:
        """This process's compressed rotated files, newest first."""
        pattern = re.compile(
            rf"{re.escape(self.stem)}-{re.escape(self.role)}-{self.pid}-"
            rf"(?P<day>\d{{4}}-\d{{2}}-\d{{2}}){re.escape(self.suffix)}\.(?P<n>\d+)\.gz"
        )
        found = [
            (m, path) for path in self.directory.iterdir() if (m := pattern.fullmatch(path.name))
        ]
        # Older days first, and within a day a higher number is older (the stdlib shifts them).
        found.sort(key=lambda item: (item[0]["day"], -int(item[0]["n"])), reverse=True)
        return [path for _, path in found]


class _Compressor:
    """Compresses one rotated file at a time on a thread that the interpreter waits for at
    exit (not a daemon), so a process that stops mid-rotation still leaves a whole `.gz`."""

    def __init__(self, *, on_done: Callable[[], None]) -> None:
        self._on_done = on_done
        self._running: threading.Thread | None = None

    def rotate(self, source: str, destination: str) -> None:
        """The handler's `rotator`: `destination` is the stdlib's name plus `.gz`."""
        if not os.path.exists(source):
            return
        if os.path.getsize(source) == 0:  # a day that ended before anything was written
            os.remove(source)
            return
        staged = destination.removesuffix(COMPRESSED)
        os.replace(source, staged)
        self._running = threading.Thread(
            target=self._compress,
            args=(staged, destination),
            name="askdocs-log-gzip",
            daemon=False,  # even when the rotating thread is one: exit waits for a whole file
        )
        self._running.start()

    def wait(self) -> None:
        """Return once the file being compressed (if any) is whole."""
        if self._running is not None:
            self._running.join()
            self._running = None

    def _compress(self, staged: str, destination: str) -> None:
        partial = destination + ".part"
        try:
            with open(staged, "rb") as source, gzip.open(partial, "wb", compresslevel=6) as out:
                shutil.copyfileobj(source, out, 1 << 20)
            os.replace(partial, destination)
            os.remove(staged)
            self._on_done()
        except OSError as exc:
            # Not through logging: this thread's line could itself fill the file.
            sys.stderr.write(f"askdocs: cannot compress the log file {staged}: {exc}\n")


class ProcessLogFile(RotatingFileHandler):
    """This process's log file for the current UTC day, rotated when the next line would take
    it past `max_bytes` and when the day changes; `clock` (epoch seconds) is for tests."""

    def __init__(
        self,
        names: LogFileNames,
        *,
        max_bytes: int,
        backups: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._names = names
        self._clock = clock
        self._day = _utc_day(clock())
        self._day_ends_at = _end_of(self._day)
        names.directory.mkdir(parents=True, exist_ok=True)
        super().__init__(
            names.on(self._day), maxBytes=max_bytes, backupCount=backups, encoding="utf-8",
            delay=True,  # after a rotation the next file opens with the next line
        )  # fmt: skip
        self._compressor = _Compressor(on_done=self._delete_oldest)
        self.namer = lambda name: name + COMPRESSED
        self.rotator = self._compressor.rotate
        self.stream = self._open()  # a directory that cannot be written stops the start

    def emit(self, record: logging.LogRecord) -> None:
        # The stdlib's emit formats each record twice (once to measure it); this once.
        try:
            line = self.format(record) + self.terminator
            if self._rollover_due(len(line)):
                self.doRollover()
            if self.stream is None:
                self.stream = self._open()
            self.stream.write(line)
            self.stream.flush()
        except Exception:  # noqa: BLE001 - logging's own policy: report on stderr, carry on
            self.handleError(record)

    def doRollover(self) -> None:  # noqa: N802 - the stdlib's name
        self._compressor.wait()  # the stdlib shifts `.1.gz` to `.2.gz`: it must be whole
        super().doRollover()
        today = _utc_day(self._clock())
        if today != self._day:
            self._day, self._day_ends_at = today, _end_of(today)
            self.baseFilename = os.path.abspath(self._names.on(today))

    def close(self) -> None:
        self.acquire()  # no rotation may start a compression meanwhile
        try:
            self._compressor.wait()
        finally:
            self.release()
        super().close()

    def _rollover_due(self, size: int) -> bool:
        if self._clock() >= self._day_ends_at:
            return True
        if self.stream is None:
            return False
        written = self.stream.tell()
        # A file with nothing in it is never rotated, even for a line longer than the limit.
        return written > 0 and written + size > self.maxBytes

    def _delete_oldest(self) -> None:
        for path in self._names.rotated()[self.backupCount :]:
            path.unlink(missing_ok=True)


def _utc_day(epoch_s: float) -> date:
    return datetime.fromtimestamp(epoch_s, UTC).date()


def _end_of(day: date) -> float:
    following = day + timedelta(days=1)
    return datetime(following.year, following.month, following.day, tzinfo=UTC).timestamp()
