"""Health, metrics, who the caller is and the caller's rate-limit status."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.openapi import ResponseSpec

from askdocs.application.rate_limits import RateLimitStatus
from askdocs.domain.principals import Principal, Role
from askdocs.entrypoints.http.openapi import documented, public
from askdocs.entrypoints.http.schemas import Health, LimitOut, MeOut, RateLimitStatusOut
from askdocs.entrypoints.http.security import client_ip, requires
from askdocs.entrypoints.readiness import Readiness


@get("/health/live", tags=["health"], **public())
async def live() -> Health:
    """The process is up."""
    return Health(status="ok")


@get(
    "/health/ready",
    tags=["health"],
    **public(
        responses={
            503: ResponseSpec(
                Health, description="A backend nothing works without is down.",
                generate_examples=False,
            )
        }
    ),
)  # fmt: skip
async def ready(readiness: NamedDependency[Readiness]) -> Response[Health]:
    """503 when a backend nothing works without is down; 200 ("degraded") when only Redis is."""
    status, checks = await readiness.report()
    code = 503 if status == "unavailable" else 200
    return Response(Health(status=status, checks=checks), status_code=code)


@get("/metrics", tags=["operations"], media_type="text/plain", **public(404))
async def metrics(metrics_backend: NamedDependency[object]) -> Response[bytes]:
    """Prometheus exposition, when that metrics backend is selected."""
    exposition = getattr(metrics_backend, "exposition", None)
    if exposition is None:
        raise NotFoundException("metrics are not exported in Prometheus format")
    body, content_type = exposition()
    return Response(body, media_type=content_type)


@get(
    "/api/v1/rate-limit/status",
    tags=["rate limits"],
    guards=[requires(Role.READER)],
    **documented(),
)
async def rate_limit_status(
    request: Request[Principal, str, Any],
    rate_limit_status: NamedDependency[RateLimitStatus],
    trusted_proxies: NamedDependency[frozenset[str]],
) -> RateLimitStatusOut:
    """The caller's limits, usage and next reset per route group; counts nothing."""
    status = await rate_limit_status.execute(request.user, client_ip(request, trusted_proxies))
    groups = {
        group: LimitOut(limit=d.limit, remaining=d.remaining, used=d.used, reset=d.reset_after_s)
        for group, d in status.items()
    }
    name, tightest = min(groups.items(), key=lambda item: item[1].remaining)
    return RateLimitStatusOut(
        limit=tightest.limit,
        remaining=tightest.remaining,
        used=tightest.used,
        reset=tightest.reset,
        group=name,
        groups=groups,
    )


@get("/api/v1/me", tags=["identity"], guards=[requires(Role.READER)], **documented())
async def me(
    request: Request[Principal, str, Any], max_upload_bytes: NamedDependency[int]
) -> MeOut:
    """Who the key belongs to and its role, for a client to offer only what the role may do,
    and the largest upload, for it to refuse a larger file before sending it."""
    principal = request.user
    return MeOut(
        subject=principal.subject, role=principal.role.value, max_upload_bytes=max_upload_bytes
    )
