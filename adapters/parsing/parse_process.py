"""One parsing child process as the parent sees it: files sent one at a time, each outcome
awaited on the event loop within the wall-clock budget."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import sys
import types
from collections.abc import Iterator
from multiprocessing.context import ForkServerContext

from askdocs.adapters.parsing.child_process import Outcome, Read, serve_in_child


@dataclasses.dataclass(frozen=True, slots=True)
class OutOfTime:
    """The child had not answered when the time budget ran out."""


@dataclasses.dataclass(frozen=True, slots=True)
class Died:
    """The child ended without sending an outcome."""

    exit_code: int


class ParseProcess:
    """A child forked from the forkserver that reads up to `files_at_most` files in a row.

    Each file it reads is the only one in it at the time, so a file that kills it, or that
    runs out of time, fails alone: the files before it have their outcomes already.
    """

    def __init__(
        self,
        context: ForkServerContext,
        *,
        read: Read,
        memory_budget_bytes: int,
        cpu_budget_s: float,
        files_at_most: int,
    ) -> None:
        requests_out, self._requests = context.Pipe(duplex=False)
        self._outcomes, outcomes_in = context.Pipe(duplex=False)
        self._child = context.Process(
            target=serve_in_child,
            args=(
                requests_out,
                outcomes_in,
                read,
                memory_budget_bytes,
                cpu_budget_s,
                files_at_most,
            ),
            name="askdocs-parse",
            daemon=True,
        )
        try:
            with _main_module_hidden():
                self._child.start()
        finally:
            # Only the child may hold these ends, so that its death reads as end of file.
            requests_out.close()
            outcomes_in.close()
        self.files_at_most = files_at_most
        self.files_sent = 0

    @property
    def spent(self) -> bool:
        """Whether the child has read every file it will."""
        return self.files_sent >= self.files_at_most

    async def read(
        self, data: bytes, media_type: str, *, wall_budget_s: float
    ) -> Outcome | OutOfTime | Died:
        """The child's outcome for one file, or how it failed to give one in time."""
        self.files_sent += 1
        # In a thread: a large file fills the pipe, and the child reads it as it can. An
        # OSError means it died before it read the file: its exit says why, below.
        with contextlib.suppress(OSError):
            await asyncio.to_thread(self._requests.send, (data, media_type))
        deadline = asyncio.get_running_loop().time() + wall_budget_s
        return await self._awaited_outcome(deadline)

    async def close(self) -> None:
        """Kill the child whatever it is doing and reap it."""
        # A child that has sent its outcomes loses nothing by being killed.
        if self._child.exitcode is None:
            self._child.kill()
        await _readable(self._child.sentinel, deadline=None)
        self._child.join()  # at once: the sentinel has said the child ended
        self._child.close()
        self._requests.close()
        self._outcomes.close()

    async def _awaited_outcome(self, deadline: float) -> Outcome | OutOfTime | Died:
        receiver, child = self._outcomes, self._child
        if not await _readable(receiver.fileno(), child.sentinel, deadline=deadline):
            return OutOfTime()
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
            return OutOfTime()
        return Died(child.exitcode)


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
