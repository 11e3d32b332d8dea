"""Stand-ins for stores that are down."""

from __future__ import annotations

from typing import Any

from askdocs.application.errors import UpstreamUnavailable


class Unreachable:
    """A store whose every call fails as a store that is down does."""

    def __getattr__(self, name: str) -> Any:
        async def fail(*args: Any, **kwargs: Any) -> Any:
            raise UpstreamUnavailable(f"{name}: connection refused")

        return fail
