"""The real container, built from test settings, with a fixed clock and probes of its state.

A test changes settings with `@pytest.mark.settings(documents__max_upload_bytes="100")`: each
keyword becomes an ASKDOCS_* variable (`ASKDOCS_DOCUMENTS__MAX_UPLOAD_BYTES=100`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dependency_injector import providers

from askdocs.application.ports import SearchHit, SearchQuery
from askdocs.domain.principals import Principal, Role
from askdocs.entrypoints.container import Container, build_container
from askdocs.entrypoints.settings import load_settings

START = datetime(2025, 3, 1, 12, 0, 30, tzinfo=UTC)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "settings(**values): ASKDOCS_* settings for the unit-test container"
    )


class FixedClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, at: datetime = START) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def timestamp(self) -> float:
        return self.at.timestamp()

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def container(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock
) -> Iterator[Container]:
    """The application's own container: in-memory adapters, blobs under tmp_path."""
    marker = request.node.get_closest_marker("settings")
    extra = marker.kwargs if marker else {}
    settings = load_settings(
        {
            "ASKDOCS_DOCUMENTS__BLOB_DIR": str(tmp_path / "blobs"),
            "ASKDOCS_METRICS__BACKEND": "prometheus",
            **{f"ASKDOCS_{name.upper()}": str(value) for name, value in extra.items()},
        }
    )
    built = build_container(settings)
    built.clock.override(providers.Object(clock))
    yield built
    built.reset_override()


@pytest.fixture
def editor() -> Principal:
    return Principal(subject="alice", role=Role.EDITOR)


@pytest.fixture
def reader() -> Principal:
    return Principal(subject="bob", role=Role.READER)


@pytest.fixture
def search(container: Container) -> Callable[..., Awaitable[list[SearchHit]]]:
    """What the index returns for a text, embedded the way questions are."""

    async def run(text: str, *, tags: tuple[str, ...] = (), k: int = 50) -> list[SearchHit]:
        embedder = container.embedder()
        return await container.index().search(
            SearchQuery(
                text=text,
                embedding=await embedder.embed_query(text),
                embedding_model=embedder.model_id,
                k=k,
                tags=tags,
            )
        )

    return run


@pytest.fixture
def chunks_embedded(container: Container) -> Callable[[], float]:
    """How many chunks ingestion has embedded so far, as the metrics registry records it."""

    def total() -> float:
        registry = container.metrics().registry
        return registry.get_sample_value("askdocs_ingest_chunks_embedded_sum") or 0.0

    return total
