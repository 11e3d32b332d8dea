"""UrlFetcher that fetches nothing, for deployments that take uploads only."""

from __future__ import annotations

from askdocs.application.errors import InvalidInput
from askdocs.application.ports.fetching import FetchedDocument

REFUSAL = "documents cannot be added by URL here (fetch.backend is disabled): upload the file"


class DisabledUrlFetcher:
    """Refuses every URL before any lookup or connection, so askdocs never reaches out.

    Raises:
        InvalidInput: always, saying that URL ingestion is turned off and what to do instead.
    """

    async def fetch(self, url: str) -> FetchedDocument:
        raise InvalidInput(REFUSAL)

    async def aclose(self) -> None:
        """Nothing to release; here so callers close any fetcher alike."""
