"""The one place errors of the OpenAI-style SDKs (openai, groq) become the application's.

Both SDKs are generated from the same template and raise the same hierarchy under their own
module, so one table serves both. The distinction that matters to the provider router: a
provider that is down, slow, overloaded or misconfigured may be replaced by the next one
(UpstreamError); a request the provider refused as such (UpstreamRejected) would be refused
by any of them.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from types import ModuleType

import httpx
import httpx2

from askdocs.application.errors import (
    UpstreamAuthFailed,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)

# While a stream is read, both SDKs let a chunk that is not JSON out as json's own error, and a
# connection dropped midway as their HTTP stack's (httpx for groq, httpx2 for openai).
_LEAKED_BY_STREAMS = (json.JSONDecodeError, httpx.TransportError, httpx2.TransportError)


@contextlib.asynccontextmanager
async def translated_errors(sdk: ModuleType, provider: str) -> AsyncIterator[None]:
    """Map `sdk`'s exceptions (the `openai` or `groq` module) raised inside, keeping the cause."""
    try:
        yield
    except sdk.APITimeoutError as exc:  # before APIConnectionError: it is one
        raise UpstreamTimeout(f"{provider} did not answer in time") from exc
    except sdk.RateLimitError as exc:
        raise UpstreamRateLimited(f"{provider} is rate limiting askdocs") from exc
    except (sdk.AuthenticationError, sdk.PermissionDeniedError) as exc:
        raise UpstreamAuthFailed(f"{provider} refused askdocs' credentials") from exc
    except (sdk.BadRequestError, sdk.UnprocessableEntityError, sdk.ConflictError) as exc:
        raise UpstreamRejected(f"{provider} refused the request: {_message(exc)}") from exc
    except sdk.APIStatusError as exc:  # 5xx, 404 (a model this provider lacks), the rest
        raise UpstreamUnavailable(f"{provider} failed (HTTP {exc.status_code})") from exc
    except sdk.APIError as exc:  # connection errors, unreadable responses
        raise UpstreamUnavailable(f"{provider} failed ({type(exc).__name__})") from exc
    except _LEAKED_BY_STREAMS as exc:
        raise UpstreamUnavailable(f"{provider} broke its stream ({type(exc).__name__})") from exc


def _message(exc: Exception) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])[:200]
    return type(exc).__name__
