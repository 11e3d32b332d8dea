"""Readiness: each shared service the settings select, checked on demand (`INFRASTRUCTURE`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from askdocs.application.errors import UpstreamError
from askdocs.entrypoints.container import Container
from askdocs.entrypoints.infrastructure import embedded_ports, in_use

Check = Callable[[], Awaitable[None]]


class Readiness:
    """The shared services in use, pinged on demand, and the ports kept in process.

    A service the table calls critical (the database; Redis only when rate limits fail closed)
    makes the whole report `unavailable`; any other one down makes it `degraded`.
    """

    def __init__(
        self, checks: dict[str, Check], embedded: list[str], critical: frozenset[str]
    ) -> None:
        self._checks = checks
        self._embedded = embedded
        self._critical = critical

    @classmethod
    def of(cls, container: Container) -> Readiness:
        settings = container.settings()
        services = in_use(settings)
        return cls(
            {service.name: service.client(container).ping for service in services},
            embedded_ports(settings),
            frozenset(service.name for service in services if service.critical(settings)),
        )

    async def report(self) -> tuple[str, dict[str, str]]:
        """("ok" | "degraded" | "unavailable", check name -> "ok" | "unavailable" | "memory")."""
        results = dict.fromkeys(self._embedded, "memory")
        failed: set[str] = set()
        for name, check in self._checks.items():
            try:
                await check()
            except UpstreamError:
                results[name] = "unavailable"
                failed.add(name)
            else:
                results[name] = "ok"
        if failed & self._critical:
            return "unavailable", results
        return ("degraded" if failed else "ok"), results
