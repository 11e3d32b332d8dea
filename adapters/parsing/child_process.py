"""The child side of `IsolatedParser`: read files one after another under a memory limit and a
CPU budget per file, sending back each one's outcome.

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


def serve_in_child(
    requests: Connection,
    outcomes: Connection,
    read: Read,
    memory_budget_bytes: int,
    cpu_budget_s: float,
    files_at_most: int,
) -> None:
    """Entry point of the child process: limit its memory, then read up to `files_at_most`
    files as `(data, media_type)` requests arrive, each within `cpu_budget_s` of CPU time,
    sending one outcome per file. It ends after the last file, or when the parent closes the
    request pipe."""
    # Objects inherited from the forkserver stay shared: a collection would otherwise walk
    # them all, copying every page they sit on into this process.
    gc.freeze()
    _limit_address_space(memory_budget_bytes)
    ceiling_s = _cap_cpu_time(cpu_budget_s, files_at_most)
    for _ in range(files_at_most):
        try:
            data, media_type = requests.recv()
        except EOFError:
            break
        _budget_cpu_time(cpu_budget_s, ceiling_s)
        outcome = _read(read, data, media_type)
        del data  # the next file's budget should not carry this one's bytes
        try:
            outcomes.send(outcome)
        except MemoryError:
            # Pickling a large document can be the allocation that fails; the marker is tiny.
            outcomes.send(OutOfMemory())
        del outcome
    outcomes.close()


def _limit_address_space(budget_bytes: int) -> None:
    # Imported here, as only a child needs it: `resource` is POSIX-only, and the package must
    # still import on Windows, where InlineParser is the choice.
    import resource

    # RLIMIT_AS rather than RLIMIT_DATA: allocations by C libraries (zlib, lxml) and large
    # mmap'd buffers count too, and a failed one surfaces as MemoryError, not a kill.
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = budget_bytes if hard == resource.RLIM_INFINITY else min(budget_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _cap_cpu_time(budget_s: float, files: int) -> int:
    """Lower the hard CPU limit to what `files` files of `budget_s` each may use, and return
    it: a process may lower its hard limit but not raise it, so it is set once, up front."""
    import resource

    ceiling = max(math.ceil(budget_s), 1) * files + 5
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard == resource.RLIM_INFINITY or hard > ceiling:
        hard = ceiling
    resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))
    return hard


def _budget_cpu_time(budget_s: float, ceiling_s: int) -> None:
    """Let the next file use `budget_s` more CPU seconds than the process has used so far."""
    import resource

    # At the soft limit the kernel sends SIGXCPU, whose default action ends the process: the
    # parent reads that exit as "out of CPU time". The hard limit is a backstop (SIGKILL).
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = math.floor(usage.ru_utime + usage.ru_stime)
    soft = min(used + max(math.ceil(budget_s), 1), ceiling_s)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, ceiling_s))


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
