"""Blob store, parser, URL fetcher, job queue and key store: each chosen by a setting."""

from __future__ import annotations

import pytest

from askdocs.adapters.fetching.disabled import DisabledUrlFetcher
from askdocs.adapters.fetching.httpx_fetcher import HttpxUrlFetcher
from askdocs.adapters.jobs.inline import InlineJobQueue
from askdocs.adapters.jobs.memory import InProcessJobQueue
from askdocs.adapters.parsing.inline import InlineParser
from askdocs.adapters.parsing.isolated import IsolatedParser
from askdocs.adapters.storage.local import LocalDirectoryBlobStore
from askdocs.adapters.storage.memory import InMemoryBlobStore
from askdocs.domain.principals import Role
from askdocs.entrypoints.cli.main import main
from askdocs.entrypoints.container import Container, build_container
from askdocs.entrypoints.settings import load_settings


def built(**settings: str) -> Container:
    return build_container(
        load_settings({f"ASKDOCS_{name.upper()}": value for name, value in settings.items()})
    )


def test_auto_keeps_what_serve_has_always_used() -> None:
    container = built()

    assert isinstance(container.blobs(), LocalDirectoryBlobStore)
    assert isinstance(container.parser(), IsolatedParser)
    assert isinstance(container.url_fetcher(), HttpxUrlFetcher)
    assert isinstance(container.jobs(), InProcessJobQueue)
    assert container.config.auth.key_store() == "memory"


@pytest.mark.parametrize(
    ("setting", "value", "port", "adapter"),
    [
        ("documents__blob_store", "memory", "blobs", InMemoryBlobStore),
        ("documents__blob_store", "local", "blobs", LocalDirectoryBlobStore),
        ("worker__parser", "inline", "parser", InlineParser),
        ("worker__parser", "isolated", "parser", IsolatedParser),
        ("fetch__backend", "disabled", "url_fetcher", DisabledUrlFetcher),
        ("jobs__backend", "inline", "jobs", InlineJobQueue),
    ],
)
def test_a_setting_selects_its_adapter(setting: str, value: str, port: str, adapter: type) -> None:
    assert isinstance(getattr(built(**{setting: value}), port)(), adapter)


async def test_live_keys_kept_in_memory_are_found_again_by_the_same_process() -> None:
    container = built(auth__key_store="memory")

    made = await container.create_api_key().execute(Role.READER, name="alice")

    assert await container.authenticate_key().execute(made.token) == made.key.principal()
    assert [key.name for key in await container.list_api_keys().execute()] == ["alice"]


def test_serve_refuses_jobs_that_no_worker_would_take(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASKDOCS_JOBS__BACKEND", "inline")

    status = main(["serve"])

    assert status == 2
    assert capsys.readouterr().err.startswith(
        "askdocs serve: jobs.backend=inline is for the library"
    )
