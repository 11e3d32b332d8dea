"""SubmitUrl through the real container, with a fetcher that serves one known document: what
the URL gave becomes a queued version that remembers where it came from."""

from __future__ import annotations

from dependency_injector import providers

from askdocs.application.ports.fetching import FetchedDocument
from askdocs.application.submit_document import Upload
from askdocs.domain.documents import VersionStatus
from askdocs.domain.principals import Principal
from askdocs.entrypoints.container import Container
from tests.support.pdf import make_pdf

GUIDE = make_pdf(["Descale the kettle once a month with citric acid."])


class OneDocumentFetcher:
    """A UrlFetcher whose every URL redirects to one PDF; it keeps the URLs it was asked for."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def fetch(self, url: str) -> FetchedDocument:
        self.asked.append(url)
        return FetchedDocument(
            url="https://example.org/final/guide.pdf",
            data=GUIDE,
            content_type="application/pdf",
            filename="guide.pdf",
        )


def use_fetcher(container: Container) -> OneDocumentFetcher:
    fetcher = OneDocumentFetcher()
    container.url_fetcher.override(providers.Object(fetcher))
    container.submit_url.reset()
    return fetcher


async def test_a_fetched_document_is_submitted_with_its_final_url_name_and_tags(
    container: Container, editor: Principal
) -> None:
    fetcher = use_fetcher(container)

    submission = await container.submit_url().execute(
        "https://example.org/guide", editor, tags=("kitchen",)
    )

    assert fetcher.asked == ["https://example.org/guide"]
    assert submission.created
    assert submission.document.name == "guide.pdf"
    assert submission.document.tags == ("kitchen",)
    version = submission.version
    assert (version.status, version.source_url) == (
        VersionStatus.QUEUED,
        "https://example.org/final/guide.pdf",
    )
    assert (version.media_type, version.file_size) == ("application/pdf", len(GUIDE))
    assert version.author == editor.subject


async def test_a_url_fetched_for_a_document_becomes_its_next_version(
    container: Container, editor: Principal
) -> None:
    use_fetcher(container)
    notes = make_pdf(["Kettle notes, first draft."])
    existing = await container.submit_document().execute(Upload(notes, "notes.pdf", editor))

    submission = await container.submit_url().execute(
        "https://example.org/guide", editor, document_id=existing.document.id
    )

    assert submission.document.id == existing.document.id
    assert submission.version.number == 2
    assert submission.version.source_url == "https://example.org/final/guide.pdf"
