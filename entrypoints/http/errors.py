"""Every error the API can return, as RFC 9457 problem+json, from one table; under the
OpenAI-compatible routes the same errors in OpenAI's shape (openai_errors.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, InternalServerException, ValidationException
from litestar.plugins.problem_details import ProblemDetailsException

from askdocs.application.errors import (
    AppError,
    Conflict,
    InsufficientScope,
    InvalidInput,
    InvalidToken,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    RateLimitExceeded,
    Unauthenticated,
    UnprocessableDocument,
    UnsupportedMediaType,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from askdocs.domain.errors import DomainError
from askdocs.entrypoints.http.openai_errors import is_openai_path, openai_error

PROBLEM_BASE = "urn:askdocs:problem:"
log = structlog.get_logger("askdocs.http")


class Problem(ProblemDetailsException):
    """An RFC 9457 problem, written in OpenAI's error shape on the OpenAI-compatible routes.

    Every error response is built from one of these (the plugin calls `to_response` for each
    exception it maps), so the choice of shape is made here, by the request's path.
    """

    def to_response(self, request: Request[Any, Any, Any]) -> Response[Any]:
        if not is_openai_path(request.url.path):
            return super().to_response(request)
        slug = (self.type_ or "").removeprefix(PROBLEM_BASE)
        body = openai_error(self.status_code, slug=slug, detail=self.detail, extra=self.extra)
        return Response(body, headers=self.headers, status_code=self.status_code)


PROBLEMS: dict[type[Exception], tuple[int, str]] = {
    Unauthenticated: (401, "unauthenticated"),
    PermissionDenied: (403, "forbidden"),
    NotFound: (404, "not-found"),
    Conflict: (409, "conflict"),
    PayloadTooLarge: (413, "payload-too-large"),
    UnsupportedMediaType: (415, "unsupported-media-type"),
    UnprocessableDocument: (422, "unprocessable-document"),
    InvalidInput: (422, "invalid-input"),
    DomainError: (422, "invalid-input"),
    RateLimitExceeded: (429, "rate-limited"),
    UpstreamUnavailable: (503, "service-unavailable"),
    UpstreamTimeout: (504, "upstream-timeout"),
    UpstreamRejected: (502, "upstream-rejected"),
}
"""Exception type -> (status, problem slug); the most specific class listed wins."""


def _headers(exc: Exception) -> dict[str, str] | None:
    if isinstance(exc, RateLimitExceeded):
        return {"Retry-After": str(exc.retry_after_s)}
    # RFC 6750: an error code only when a bearer token was presented and judged.
    if isinstance(exc, InvalidToken):
        return {"WWW-Authenticate": 'Bearer realm="askdocs", error="invalid_token"'}
    if isinstance(exc, InsufficientScope):
        return {"WWW-Authenticate": 'Bearer realm="askdocs", error="insufficient_scope"'}
    if isinstance(exc, Unauthenticated):
        return {"WWW-Authenticate": 'Bearer realm="askdocs", ApiKey header="X-API-Key"'}
    return None


def to_problem(exc: Exception) -> Problem:
    """The problem a domain or application error becomes."""
    status, slug = next(
        (entry for kind, entry in PROBLEMS.items() if isinstance(exc, kind)), (500, "internal")
    )
    detail = exc.detail if isinstance(exc, AppError) else str(exc)
    return Problem(
        status_code=status,
        type_=PROBLEM_BASE + slug,
        title=slug.replace("-", " ").capitalize(),
        detail=detail,
        headers=_headers(exc),
    )


def http_to_problem(exc: HTTPException) -> Problem:
    """Framework errors (validation, unknown route, body too large) as problems too.

    A body or parameter that fails validation is a 422 like every other invalid input, so
    clients meet one status for "your values are wrong", whichever layer noticed.
    """
    extra = (
        exc.extra if isinstance(exc.extra, dict) else {"errors": exc.extra} if exc.extra else None
    )
    status = 422 if isinstance(exc, ValidationException) else exc.status_code
    slug = {
        413: "payload-too-large",
        404: "not-found",
        405: "method-not-allowed",
        422: "invalid-input",
    }.get(status, "bad-request" if status < 500 else "internal")
    return Problem(
        status_code=status,
        type_=PROBLEM_BASE + slug,
        title=slug.replace("-", " ").capitalize(),
        detail=exc.detail,
        headers=exc.headers,
        extra=extra,
    )


def status_of(exc: Exception) -> int:
    """The status an exception leaving a handler or middleware is answered with."""
    if isinstance(exc, HTTPException):
        return http_to_problem(exc).status_code
    if isinstance(exc, AppError | DomainError):
        return to_problem(exc).status_code
    return 500


def unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A failure nobody planned for: logged with its type, answered without internals."""
    if isinstance(exc, InternalServerException) and "disconnected" in exc.detail:
        # The client went away mid-request (a closed tab, a load generator stopping): nothing
        # failed on our side and nobody will read the answer.
        log.info("client_disconnected", path=request.url.path)
    else:
        log.error("unhandled_error", path=request.url.path, exc_info=exc)
    return Problem(
        status_code=500,
        type_=PROBLEM_BASE + "internal",
        title="Internal error",
        detail="askdocs failed to handle this request; it has been logged.",
    ).to_response(request)


ProblemFactory = Callable[[Exception], ProblemDetailsException]


def problem_map() -> dict[type[Exception], ProblemFactory]:
    """The exception map for Litestar's ProblemDetailsPlugin."""
    mapping: dict[type[Exception], ProblemFactory] = dict.fromkeys(
        (AppError, DomainError), to_problem
    )
    mapping[HTTPException] = http_to_problem  # type: ignore[assignment]
    return mapping
