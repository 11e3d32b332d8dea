"""IdGenerator backed by the operating system's random source."""

from __future__ import annotations

import uuid


class RandomIdGenerator:
    """Random 128-bit ids as 32 lower-case hex characters: URL-safe and easy to read aloud."""

    def new_id(self) -> str:
        return uuid.uuid4().hex
