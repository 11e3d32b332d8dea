"""Protocol: BlobStore, the raw bytes of uploads by content hash."""

from __future__ import annotations

from typing import Protocol


class BlobStore(Protocol):
    """Protocol: immutable blobs addressed by the SHA-256 of their bytes.

    Raises:
        NotFound: `get` of a digest never stored.
        UpstreamUnavailable: the store cannot be written or read.
    """

    async def put(self, digest: str, data: bytes) -> None:
        """Store bytes under their digest; storing the same bytes again is a no-op."""
        ...

    async def get(self, digest: str) -> bytes:
        """The bytes stored under `digest`."""
        ...
