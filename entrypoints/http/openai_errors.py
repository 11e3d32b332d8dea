"""Errors of the OpenAI-compatible routes (`/v1/...`) in OpenAI's shape.

OpenAI's clients read `{"error": {"message", "type", "code", "param"}}`: the official SDK puts
`error.message` in its exception's text, and given a problem+json body it said only
"Error code: 422". So under /v1 the same problem (one mapping table, errors.py) is written in
that shape, with the same status and headers; elsewhere it stays RFC 9457.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import msgspec

OPENAI_PREFIX = "/v1/"
_TYPES = {401: "authentication_error", 403: "permission_error", 429: "rate_limit_error"}
_CODES = {401: "invalid_api_key", 429: "rate_limit_exceeded"}
"""The codes OpenAI's own clients know for these statuses; others carry askdocs' problem slug."""
_FIELDS_SHOWN = 5
_LOCATION = re.compile(r" - at `\$\.(?P<path>[^`]+)`$")


class OpenAIErrorDetail(msgspec.Struct, frozen=True, kw_only=True):
    """What went wrong, as OpenAI describes it."""

    message: str
    type: str
    code: str | None
    param: str | None


class OpenAIError(msgspec.Struct, frozen=True, kw_only=True):
    """An error response of the OpenAI-compatible routes."""

    error: OpenAIErrorDetail


def is_openai_path(path: str) -> bool:
    """Whether `path` is one of the OpenAI-compatible routes."""
    return path.startswith(OPENAI_PREFIX)


def openai_error(
    status: int, *, slug: str, detail: str, extra: Mapping[str, Any] | list[Any] | None
) -> OpenAIError:
    """The OpenAI error for a problem of `status` and `slug` (`invalid-input`): the detail
    and, for a body that failed validation, which fields and why."""
    fields = extra.get("errors") if isinstance(extra, Mapping) else extra
    failures = [f for f in fields or [] if isinstance(f, Mapping)]
    message = detail
    if failures:
        said = [f"{f.get('key') or 'body'}: {f.get('message', '')}" for f in failures]
        message = f"{detail} ({'; '.join(said[:_FIELDS_SHOWN])})"
    default_type = "server_error" if status >= 500 else "invalid_request_error"
    return OpenAIError(
        error=OpenAIErrorDetail(
            message=message,
            type=_TYPES.get(status, default_type),
            code=_CODES.get(status, slug.replace("-", "_")),
            param=next(filter(None, map(_param, failures)), None),
        )
    )


def _param(failure: Mapping[str, Any]) -> str | None:
    """The field a validation failure is about: a parameter's name, or the body field's path
    msgspec gives (`messages[0].role`)."""
    key = failure.get("key")
    if key and key != "body":
        return str(key)
    located = _LOCATION.search(str(failure.get("message", "")))
    return located["path"] if located else None
