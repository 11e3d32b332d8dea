"""Readers that misbehave on purpose, for IsolatedParser's `read` hook.

They run in the parser's child process, which imports this module by name: it stays small so
that a child starts quickly.
"""

from __future__ import annotations

import os
import resource
import signal
import time
import zlib
from pathlib import Path

from askdocs.adapters.parsing.child_process import read_document
from askdocs.application.errors import UnprocessableDocument
from askdocs.application.ports.parsing import ParsedDocument
from askdocs.domain.documents import Page


def hang(data: bytes, media_type: str) -> ParsedDocument:
    """Write this process's id to the file named by `data`, then never answer."""
    Path(data.decode()).write_text(str(os.getpid()))
    time.sleep(3600)
    raise AssertionError("not killed")


def spin(data: bytes, media_type: str) -> ParsedDocument:
    """Compute forever, as a parser lost in a pathological file does."""
    while True:
        pass


def read_after_a_second(data: bytes, media_type: str) -> ParsedDocument:
    time.sleep(1)
    return read_document(data, media_type)


def inflate_every_stream(data: bytes, media_type: str) -> ParsedDocument:
    """Inflate the PDF's first stream whole, as a reader without pypdf's limits would."""
    start = data.index(b"stream\n") + len(b"stream\n")
    zlib.decompress(data[start : data.rindex(b"\nendstream")])
    return read_document(data, media_type)


def refuse_for_lack_of_memory(data: bytes, media_type: str) -> ParsedDocument:
    """Translate a MemoryError as the format readers translate every error."""
    try:
        bytearray(8 * 1024**3)
    except MemoryError as exc:
        raise UnprocessableDocument("the PDF cannot be read: MemoryError") from exc
    raise AssertionError("8 GiB fitted in the budget")


def crash(data: bytes, media_type: str) -> ParsedDocument:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file for a crash on purpose
    os.kill(os.getpid(), signal.SIGSEGV)
    raise AssertionError("survived SIGSEGV")


def fail(data: bytes, media_type: str) -> ParsedDocument:
    raise ValueError("a bug in the reader")


def exit_without_answer(data: bytes, media_type: str) -> ParsedDocument:
    os._exit(3)


def as_told(data: bytes, media_type: str) -> ParsedDocument:
    """Do what the file says: `crash`, `spin`, `hang:PATH` or `fail`, or compute for
    `burn:SECONDS` of CPU time first; any other text is read as one page naming the process
    that read it (`pid 123: text`)."""
    command = data.decode()
    if command.startswith("burn:"):
        until = time.process_time() + float(command.removeprefix("burn:"))
        while time.process_time() < until:
            pass
    if command == "crash":
        return crash(data, media_type)
    if command == "spin":
        return spin(data, media_type)
    if command.startswith("hang:"):
        return hang(command.removeprefix("hang:").encode(), media_type)
    if command == "fail":
        return fail(data, media_type)
    return ParsedDocument(media_type, (Page(1, f"pid {os.getpid()}: {command}"),), False)
