"""The application's errors carry their data as attributes, for the HTTP mapping to read."""

from __future__ import annotations

from askdocs.application.errors import AppError, PayloadTooLarge, RateLimitExceeded


def test_a_rate_limit_error_says_when_to_come_back() -> None:
    error = RateLimitExceeded("chat: 1000 a day", retry_after_s=17)

    assert (error.detail, str(error), error.retry_after_s) == (
        "chat: 1000 a day",
        "chat: 1000 a day",
        17,
    )
    assert isinstance(error, AppError)


def test_a_too_large_upload_says_what_the_limit_is() -> None:
    error = PayloadTooLarge("over 10 MB", limit_bytes=10_000_000)

    assert (error.detail, error.limit_bytes) == ("over 10 MB", 10_000_000)
