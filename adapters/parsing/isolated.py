"""IsolatedParser: files read in child processes, each within CPU, time and memory budgets.

A file that makes the reader run for minutes, inflate to gigabytes or crash costs only that
file: its child is killed or dies, and the caller gets an UnprocessableDocument saying why.
A child reads small files one after another (up to `files_per_process`), as starting one
costs far more than reading a page of HTML; a large file has a child of its own.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import signal

from askdocs.adapters.parsing.child_process import (
    PRELOAD,
    Failed,
    Outcome,
    OutOfMemory,
    Read,
    read_document,
)
from askdocs.adapters.parsing.composite import ContentSniffingParser
from askdocs.adapters.parsing.parse_process import Died, OutOfTime, ParseProcess
from askdocs.application.errors import UnprocessableDocument, UnsupportedMediaType
from askdocs.application.ports.parsing import ParsedDocument

# The outcomes after which a child may read another file: the reader answered as readers do.
_ANSWERS = (ParsedDocument, UnsupportedMediaType, UnprocessableDocument)
IDLE_PROCESS_S = 2.0
"""How long a child that could read more files waits for one before it is stopped."""


class IsolatedParser:
    """DocumentParser that parses each file in a fresh child process, within budgets.

    Children are forked from a multiprocessing forkserver that has the format readers
    imported, never from this (threaded, event-looped) process, so one starts in milliseconds.
    A child that read a file may read the next small one: each file has the whole CPU budget
    and the child to itself while it is read, and a file that ran out of memory or killed a
    child that had read others before it is read again in a fresh one, so that what an
    earlier file left behind fails nothing.
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
        files_per_process: small files one child reads in a row before a fresh one takes
            over; 1 gives every file a child of its own.
        shared_max_kb: files up to this size may share a child; larger ones have one each.
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
        files_per_process: int,
        shared_max_kb: int,
        # Tests swap the reader for one that spins, hangs or crashes; production never does.
        read: Read = read_document,
    ) -> None:
        if min(cpu_budget_s, wall_budget_s, memory_budget_mb) <= 0:
            raise ValueError("the CPU, time and memory budgets must be positive")
        if min(max_concurrent, files_per_process) < 1:
            raise ValueError("max_concurrent and files_per_process must be at least 1")
        self._cpu_budget_s = cpu_budget_s
        self._time_budget_s = wall_budget_s
        self._memory_budget_mb = memory_budget_mb
        self._read = read
        self._files_per_process = files_per_process
        self._shared_max_bytes = shared_max_kb * 1024
        self._idle: list[ParseProcess] = []
        self._stopping: set[asyncio.Task[None]] = set()
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
            outcome, shared = await self._outcome(data, media_type)
            if shared and _maybe_left_over(outcome):
                outcome, _ = await self._outcome(data, media_type, fresh=True)
        if isinstance(outcome, ParsedDocument):
            return outcome
        if isinstance(outcome, UnsupportedMediaType | UnprocessableDocument):
            raise type(outcome)(outcome.detail)
        raise UnprocessableDocument(self._reason(outcome))

    async def _outcome(
        self, data: bytes, media_type: str, *, fresh: bool = False
    ) -> tuple[Outcome | OutOfTime | Died, bool]:
        """The outcome of reading `data` in a child, and whether that child had read others."""
        small = len(data) <= self._shared_max_bytes
        process = self._idle.pop() if small and not fresh and self._idle else None
        shared = process is not None
        if process is None:
            process = ParseProcess(
                self._context,
                read=self._read,
                memory_budget_bytes=self._memory_budget_mb * 1024 * 1024,
                cpu_budget_s=self._cpu_budget_s,
                files_at_most=self._files_per_process if small else 1,
            )
        outcome: Outcome | OutOfTime | Died = Died(0)
        try:
            outcome = await process.read(data, media_type, wall_budget_s=self._time_budget_s)
        finally:
            # Stopped, unless it answered and may read more: a child that failed, ran out of
            # anything, or whose caller gave up waiting is killed whatever it is doing.
            if isinstance(outcome, _ANSWERS) and not process.spent:
                self._keep_idle(process)
            else:
                await process.close()
        return outcome, shared

    def _keep_idle(self, process: ParseProcess) -> None:
        self._idle.append(process)
        asyncio.get_running_loop().call_later(IDLE_PROCESS_S, self._stop_if_idle, process)

    def _stop_if_idle(self, process: ParseProcess) -> None:
        if process in self._idle:
            self._idle.remove(process)
            stopping = asyncio.create_task(process.close())
            self._stopping.add(stopping)
            stopping.add_done_callback(self._stopping.discard)

    def _reason(self, outcome: OutOfMemory | Failed | OutOfTime | Died) -> str:
        if isinstance(outcome, OutOfTime):
            return f"parsing took longer than {self._time_budget_s:g} s"
        if isinstance(outcome, Failed):
            return f"the parser failed on this file: {outcome.reason}"
        if isinstance(outcome, Died) and outcome.exit_code == -signal.SIGXCPU:
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


def _maybe_left_over(outcome: Outcome | OutOfTime | Died) -> bool:
    """Whether a failure in a shared child may be an earlier file's doing (memory it left
    fragmented, state it corrupted) rather than this file's: not so for running out of
    time, which the budget gives each file afresh."""
    if isinstance(outcome, OutOfMemory):
        return True
    return isinstance(outcome, Died) and outcome.exit_code != -signal.SIGXCPU
