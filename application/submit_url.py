"""SubmitUrl: fetch a document from a URL, then submit it like an upload."""

from __future__ import annotations

import dataclasses

from askdocs.application.ports.fetching import UrlFetcher
from askdocs.application.submit_document import Submission, SubmitDocument, Upload
from askdocs.domain.principals import Principal


@dataclasses.dataclass(frozen=True, slots=True)
class SubmitUrl:
    """The fetch happens while the caller waits (it is bounded by size, time and the address
    policy), so a refused or unreachable URL is answered at once; parsing is the worker's.

    Raises:
        what the fetcher raises (refused address, too large, timeout, remote error) and what
        SubmitDocument raises.
    """

    fetcher: UrlFetcher
    submit: SubmitDocument

    async def execute(
        self,
        url: str,
        principal: Principal,
        *,
        tags: tuple[str, ...] = (),
        document_id: str | None = None,
    ) -> Submission:
        upload = await fetch_upload(
            self.fetcher, url, principal, tags=tags, document_id=document_id
        )
        return await self.submit.execute(upload)


async def fetch_upload(
    fetcher: UrlFetcher,
    url: str,
    principal: Principal,
    *,
    tags: tuple[str, ...] = (),
    document_id: str | None = None,
) -> Upload:
    """The document at `url` as an upload, named after its final URL, which it records.

    Raises:
        what the fetcher raises.
    """
    fetched = await fetcher.fetch(url)
    return Upload(
        data=fetched.data,
        filename=fetched.filename,
        principal=principal,
        tags=tags,
        document_id=document_id,
        source_url=fetched.url,
    )
