"""Errors the use cases raise; adapters translate every driver or SDK error into one of these."""

from __future__ import annotations


class AppError(Exception):
    """Root of every error the application raises."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(AppError):
    """The thing asked for does not exist, or is not the caller's to see."""


class Conflict(AppError):
    """The request contradicts the current state (for example, restoring a live document)."""


class PayloadTooLarge(AppError):
    """An upload over the configured size limit."""

    def __init__(self, detail: str, *, limit_bytes: int) -> None:
        super().__init__(detail)
        self.limit_bytes = limit_bytes


class UnsupportedMediaType(AppError):
    """Bytes whose type, sniffed from the content, askdocs does not ingest."""


class UnprocessableDocument(AppError):
    """A file of a supported type that cannot be read: empty, broken, encrypted, no text."""


class InvalidInput(AppError):
    """A request that is well-formed but whose values are not acceptable."""


class ForbiddenDestination(InvalidInput):
    """A URL askdocs will not fetch: it leads to a private, loopback, link-local, cloud
    metadata or otherwise internal address that no allowlist entry permits (SSRF defence)."""


class Unauthenticated(AppError):
    """No credentials, or credentials that match no principal."""


class InvalidToken(Unauthenticated):
    """A bearer token that is malformed, wrongly signed, expired, not yet valid, or issued by
    or for someone else (OAuth's `invalid_token`)."""


class PermissionDenied(AppError):
    """A known principal whose role does not allow the operation."""


class InsufficientScope(PermissionDenied):
    """A valid bearer token that grants none of the roles askdocs maps (OAuth's
    `insufficient_scope`)."""


class RateLimitExceeded(AppError):
    """The caller has used up a rate limit; `retry_after_s` says when it resets."""

    def __init__(self, detail: str, *, retry_after_s: int) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


class UpstreamError(AppError):
    """A backend askdocs depends on failed; the request may succeed later."""


class UpstreamUnavailable(UpstreamError):
    """A backend refused, reset or could not be reached."""


class UpstreamTimeout(UpstreamError):
    """A backend did not answer in time."""


class UpstreamRateLimited(UpstreamUnavailable):
    """A backend refused for now because askdocs sent it too much (HTTP 429 or its kind)."""


class UpstreamAuthFailed(UpstreamUnavailable):
    """A backend refused askdocs' credentials: a configuration problem, not the caller's."""


class UpstreamRejected(AppError):
    """A backend refused this request itself (HTTP 400 or its kind): sending the same request
    elsewhere would not help, and neither would trying again."""


class RetryLater(AppError):
    """A job that met a failure which may pass: deliver it again after `delay_s` seconds."""

    def __init__(self, detail: str, *, delay_s: float) -> None:
        super().__init__(detail)
        self.delay_s = delay_s
