"""The child side of `IsolatedParser`: read one file under a memory limit, send back the outcome.

The forkserver preloads this module, which imports every format reader: a child forked from
the server starts with them in memory and pays for no imports.
"""

from __future__ import annotations

import dataclasses
import gc
import math
from collections.abc import Callable
from multiprocessing.connection import Connection

from askdocs.adapters.parsing.composite import ContentSniffingParser
from askdocs.application.errors import UnprocessableDocument, UnsupportedMediaType
from askdocs.application.ports.parsing import ParsedDocument

# What the forkserver imports before forking any child: this module, with every reader, and the
# modules pypdf imports only on its first text extraction (about 20 ms in each child otherwise).
# The forkserver skips a name that fails to import, so a pypdf release that moves one costs
# only that time.
PRELOAD = (__name__, "pypdf.filters", "pypdf._codecs._codecs")

Read = Callable[[bytes, str], ParsedDocument]
"""A synchronous reader run in the child: a function of an importable module, as the child
imports it by name."""


@dataclasses.dataclass(frozen=True, slots=True)
class OutOfMemory:
    """The read needed more memory than the child's budget allowed."""


@dataclasses.dataclass(frozen=True, slots=True)
class Failed:
    """The read raised something other than the two parsing errors; `reason` names it."""

    reason: str


Refusal = UnsupportedMediaType | UnprocessableDocument
Outcome = ParsedDocument | Refusal | OutOfMemory | Failed


def read_document(data: bytes, media_type: str) -> ParsedDocument:
    """The default reader: `ContentSniffingParser.parse`."""
    return ContentSniffingParser().parse(data, media_type)


def run_in_child(
    sender: Connection,
    read: Read,
    data: bytes,
    media_type: str,
    memory_budget_bytes: int,
    cpu_budget_s: float,
) -> None:
    """Entry point of the child process: limit its memory and CPU time, read `data`, send
    one outcome."""
    # Objects inherited from the forkserver stay shared: a collection would otherwise walk
    # them all, copying every page they sit on into this process.
    gc.freeze()
    _limit_address_space(memory_budget_bytes)
    _limit_cpu_time(cpu_budget_s)
    outcome = _read(read, data, media_type)
    try:
        sender.send(outcome)
    except MemoryError:
        # Pickling a large document can be the allocation that fails; the marker is tiny.
        sender.send(OutOfMemory())
    sender.close()


def _limit_address_space(budget_bytes: int) -> None:
    # Imported here, as only a child needs it: `resource` is POSIX-only, and the package must
    # still import on Windows, where InlineParser is the choice.
    import resource

    # RLIMIT_AS rather than RLIMIT_DATA: allocations by C libraries (zlib, lxml) and large
    # mmap'd buffers count too, and a failed one surfaces as MemoryError, not a kill.
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = budget_bytes if hard == resource.RLIM_INFINITY else min(budget_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _limit_cpu_time(budget_s: float) -> None:
    import resource

    # At the soft limit the kernel sends SIGXCPU, whose default action ends the process: the
    # parent reads that exit as "out of CPU time". The hard limit is a backstop (SIGKILL).
    soft = max(math.ceil(budget_s), 1)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard == resource.RLIM_INFINITY:
        hard = soft + 5
    soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, min(soft + 5, hard)))


def _read(read: Read, data: bytes, media_type: str) -> Outcome:
    try:
        return read(data, media_type)
    except MemoryError:
        pass  # the report is sent after the except block, once the traceback has let go
    except (UnsupportedMediaType, UnprocessableDocument) as exc:
        if _caused_by_memory(exc):
            return OutOfMemory()
        # A fresh error: the raised one holds a traceback, and through it the parser's buffers.
        return type(exc)(exc.detail)
    except Exception as exc:  # noqa: BLE001 - any error is this file's, and needs an answer
        return Failed(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    return OutOfMemory()


def _caused_by_memory(exc: BaseException) -> bool:
    """Whether a MemoryError lies under `exc`: readers translate every error, that one too."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, MemoryError):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False
