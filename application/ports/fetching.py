"""Protocol: UrlFetcher, the bytes of a document a caller named by URL."""

from __future__ import annotations

import dataclasses
from typing import Protocol


@dataclasses.dataclass(frozen=True, slots=True)
class FetchedDocument:
    """A document downloaded from a URL.

    Attributes:
        url: the final URL, after redirects.
        data: the body, at most the fetcher's size limit.
        content_type: the server's Content-Type header; informational only, since askdocs
            judges a document's type from its bytes.
        filename: a name for the document: the final URL's last path segment, or its host,
            with characters unfit for a file name replaced.
    """

    url: str
    data: bytes
    content_type: str | None
    filename: str


class UrlFetcher(Protocol):
    """Protocol: downloads a document from an http(s) URL that a caller supplied.

    The URL is untrusted: the fetcher refuses destinations inside askdocs' own network (after
    DNS resolution, and again on every redirect) unless settings allow them, and bounds the
    download in size and time.

    Raises:
        InvalidInput: a malformed URL, a scheme other than http(s), credentials in the URL, a
            host that cannot be resolved or reached, a remote HTTP error, too many redirects,
            or no complete answer within the time budget.
        ForbiddenDestination: the URL, or a redirect, leads to an address askdocs refuses
            (private, loopback, link-local, cloud metadata and the like).
        PayloadTooLarge: the body is larger than the fetcher's limit.
    """

    async def fetch(self, url: str) -> FetchedDocument:
        """The document at `url`, after following redirects."""
        ...
