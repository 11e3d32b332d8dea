"""IsolatedParser: each file read in a child process of its own, within CPU, time and memory
budgets.

A file that makes the reader run for minutes, inflate to gigabytes or crash costs only that
file: its child is killed or dies, and the caller gets an UnprocessableDocument saying why.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import multiprocessing
import os
import signal
import sys
import types
from collections.abc import Iterator
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from askdocs.adapters.parsing.child_process import (
    PRELOAD,
    Failed,
    Outcome,
    OutOfMemory,
    Read,
    read_document,
    run_in_child,
)
from askdocs.adapters.parsing.composite import ContentSniffingParser
from askdocs.application.errors import UnprocessableDocument, UnsupportedMediaType
from askdocs.application.ports.parsing import ParsedDocument


@dataclasses.dataclass(frozen=True, slots=True)
class _OutOfTime:
    """The child had not answered when the time budget ran out."""


@dataclasses.dataclass(frozen=True, slots=True)
class _Died:
    """The child ended without sending an outcome."""

    exit_code: int


class IsolatedParser:
    """DocumentParser that parses each file in a fresh child process, within budgets.

    Children are forked from a multiprocessing forkserver that has the format readers
    imported, never from this (threaded, event-looped) process, so one starts in milliseconds.
    At most `max_concurrent` run at once; waiting on them never blocks the event loop. Starting
    one does, briefly; the first in a process also waits for the forkserver to boot (about a
    second). POSIX only.

    Args:
        cpu_budget_s: CPU seconds a parse may use (RLIMIT_CPU in the child). The budget is CPU
            time, not wall time, so a file parses the same on a busy machine as on an idle one.
        wall_budget_s: wall-clock seconds after which the child is killed whatever it is doing
            (a parse blocked, not computing).
        memory_budget_mb: address space a child may use, set with RLIMIT_AS; it counts the
            interpreter and the readers too (about 60 MB), not only the document.
        max_concurrent: children at once.
        read: the synchronous reader run in the child, `ContentSniffingParser.parse` by
            default; a function of an importable module (not `__main__`), as the child
            imports it by name.

    Raises:
        UnsupportedMediaType: the media type asked for is not one askdocs reads.
        UnprocessableDocument: the file is empty, broken, encrypted, bomb-like or holds no
            text, or its parse ran out of time or memory, or crashed the child.
    """

    def __init__(
        self,
        *,
        cpu_budget_s: float,
        wall_budget_s: float,
        memory_budget_mb: int,
        max_concurrent: int,
        # Tests swap the reader for one that spins, hangs or crashes; production never does.
        read: Read = read_document,
    ) -> None:
        if min(cpu_budget_s, wall_budget_s, memory_budget_mb) <= 0:
            raise ValueError("the CPU, time and memory budgets must be positive")
        if max_concurrent < 1:
            raise ValueError("max_concurrent must be at least 1")
        self._cpu_budget_s = cpu_budget_s
        self._time_budget_s = wall_budget_s
        self._memory_budget_mb = memory_budget_mb
        self._read = read
        self._sniffer = ContentSniffingParser()
        self._slots = asyncio.Semaphore(max_concurrent)
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(list(PRELOAD))

    def sniff(self, data: bytes, *, filename: str | None = None) -> str:
        """The media type of `data`, judged from the bytes; the name only marks markdown."""
        return self._sniffer.sniff(data, filename=filename)

    async def parse(self, data: bytes, media_type: str) -> ParsedDocument:
        """The document's pages, numbered from 1, read in a child process within the budgets."""
        async with self._slots:
            outcome = await self._outcome_of_child(data, media_type)
        if isinstance(outcome, ParsedDocument):
            return outcome
        if isinstance(outcome, UnsupportedMediaType | UnprocessableDocument):
            raise type(outcome)(outcome.detail)
        raise UnprocessableDocument(self._reason(outcome))

    async def _outcome_of_child(self, data: bytes, media_type: str) -> Outcome | _OutOfTime | _Died:
        receiver, sender = self._context.Pipe(duplex=False)
        child = self._context.Process(
            target=run_in_child,
            args=(
                sender,
                self._read,
                data,
                media_type,
                self._memory_budget_mb * 1024 * 1024,
                self._cpu_budget_s,
            ),
            name="askdocs-parse",
            daemon=True,
        )
        with receiver:
            try:
                with _main_module_hidden():
                    child.start()
            finally:
                # Only the child may hold the sending end, so that its death reads as end of file.
                sender.close()
            try:
                return await self._awaited_outcome(receiver, child)
            finally:
                # Killed whatever happened: the outcome is in, the time is up, or the caller
                # gave up waiting. A child that has sent its outcome loses nothing by it.
                if child.exitcode is None:
                    child.kill()
                await _readable(child.sentinel, deadline=None)
                child.join()  # at once: the sentinel has said the child ended
                child.close()

    async def _awaited_outcome(
        self, receiver: Connection, child: BaseProcess
    ) -> Outcome | _OutOfTime | _Died:
        deadline = asyncio.get_running_loop().time() + self._time_budget_s
        if not await _readable(receiver.fileno(), child.sentinel, deadline=deadline):
            return _OutOfTime()
        if receiver.poll():
            # uvloop leaves a descriptor it watched non-blocking, and an outcome larger than
            # the pipe's buffer arrives in pieces: read it blocking, in a thread, off the loop.
            os.set_blocking(receiver.fileno(), True)
            try:
                outcome: Outcome = await asyncio.to_thread(receiver.recv)
            except EOFError:
                pass  # it died before, or while, sending
            else:
                return outcome
        if not await _readable(child.sentinel, deadline=deadline) or child.exitcode is None:
            return _OutOfTime()
        return _Died(child.exitcode)

    def _reason(self, outcome: OutOfMemory | Failed | _OutOfTime | _Died) -> str:
        if isinstance(outcome, _OutOfTime):
            return f"parsing took longer than {self._time_budget_s:g} s"
        if isinstance(outcome, Failed):
            return f"the parser failed on this file: {outcome.reason}"
        if isinstance(outcome, _Died) and outcome.exit_code == -signal.SIGXCPU:
            return f"parsing used more than {self._cpu_budget_s:g} s of CPU time"
        # The kernel's OOM killer ends a process with SIGKILL; this parser kills only on time.
        if isinstance(outcome, OutOfMemory) or outcome.exit_code == -signal.SIGKILL:
            return f"parsing needed more than {self._memory_budget_mb} MB of memory"
        if outcome.exit_code < 0:
            return f"the parser crashed on this file ({_signal_name(-outcome.exit_code)})"
        return f"the parser stopped without an answer (exit code {outcome.exit_code})"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


@contextlib.contextmanager
def _main_module_hidden() -> Iterator[None]:
    """Start a child without the parent's `__main__` to re-create.

    A forkserver child runs the parent's main script again (as `__mp_main__`) before anything
    else, as the forkserver's own preloading of `__main__` did not work before CPython 3.13
    (gh-137996). For the `askdocs` console script that is the whole application: seconds per
    child. Nothing a child runs lives in `__main__`, so a blank one is shown while it starts.
    """
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


async def _readable(*fds: int, deadline: float | None) -> bool:
    """Whether one of `fds` became readable by `deadline` (event loop time), waiting on the loop
    rather than in a thread."""
    loop = asyncio.get_running_loop()
    ready = loop.create_future()

    def mark_ready() -> None:
        if not ready.done():
            ready.set_result(None)

    for fd in fds:
        loop.add_reader(fd, mark_ready)
    try:
        async with asyncio.timeout_at(deadline):
            await ready
    except TimeoutError:
        return False
    finally:
        for fd in fds:
            loop.remove_reader(fd)
    return True
