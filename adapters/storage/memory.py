"""BlobStore in process memory, for embedding askdocs where nothing should touch the disk."""

from __future__ import annotations

from askdocs.adapters.storage.digests import checked_digest
from askdocs.application.errors import NotFound


class InMemoryBlobStore:
    """Blobs in a dict, lost with the process like the in-memory documents they belong to.

    Only this process can read them, so they suit the library and tests, never `askdocs
    worker` processes, which must read what another process stored.

    Raises:
        ValueError: a digest that is not 64 lower-case hex digits.
    """

    def __init__(self) -> None:
        self._blobs: dict[str, bytes] = {}

    async def put(self, digest: str, data: bytes) -> None:
        self._blobs.setdefault(checked_digest(digest), bytes(data))

    async def get(self, digest: str) -> bytes:
        try:
            return self._blobs[checked_digest(digest)]
        except KeyError:
            raise NotFound(f"blob {digest} not found") from None
