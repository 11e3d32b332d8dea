"""BlobStore on a local (or shared, mounted) directory."""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from pathlib import Path

from askdocs.adapters.storage.digests import checked_digest
from askdocs.application.errors import NotFound, UpstreamUnavailable


class LocalDirectoryBlobStore:
    """Blobs as files named by their SHA-256 under `root/ab/cd/`, written atomically.

    Each blob is written to a temporary file in its final directory and renamed into place,
    so a reader (in this or another worker process) sees the whole file or none of it. Two
    levels of fan-out keep any one directory small.

    Args:
        root: the directory to keep blobs in; created when the first blob is stored.

    Raises:
        ValueError: a digest that is not 64 lower-case hex digits, which could escape `root`.
    """

    def __init__(self, root: Path) -> None:
        self._root = root

    async def put(self, digest: str, data: bytes) -> None:
        path = self._path(digest)
        try:
            await asyncio.to_thread(_write_atomically, path, data)
        except OSError as exc:
            raise UpstreamUnavailable(f"cannot store blob {digest}") from exc

    async def get(self, digest: str) -> bytes:
        path = self._path(digest)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            raise NotFound(f"blob {digest} not found") from None
        except OSError as exc:
            raise UpstreamUnavailable(f"cannot read blob {digest}") from exc

    def _path(self, digest: str) -> Path:
        checked_digest(digest)
        return self._root / digest[:2] / digest[2:4] / digest


def _write_atomically(path: Path, data: bytes) -> None:
    if path.exists():  # content-addressed: the same digest already holds these bytes
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
