"""What every BlobStore accepts as a blob's name: the SHA-256 of its bytes, in hex."""

from __future__ import annotations

import re

_DIGEST = re.compile(r"[0-9a-f]{64}")


def checked_digest(digest: str) -> str:
    """`digest` itself; ValueError unless it is 64 lower-case hex digits, so that no name can
    reach outside a store (a path, a key prefix) or name one blob two ways."""
    if not _DIGEST.fullmatch(digest):
        raise ValueError("a blob digest must be 64 lower-case hex digits")
    return digest
