"""`askdocs reembed`: the embedding models of the index in ASKDOCS_DATABASE__URL.

- `--model NAME` embeds, with the configured model NAME (`embedder.models`), every live chunk
  it has no vector for, printing its progress. The servers go on answering with the models
  that cover the corpus meanwhile; once NAME covers it, questions use NAME if it comes first
  in `embedder.models`. Interrupted, it goes on from where it stopped when run again.
- `--list` prints each model id in the index, how many live chunks it holds of how many, and
  which configured model it is.
- `--drop MODEL_ID` removes a model's vectors and its search index; a model still configured
  is refused (the next ingestion would store it again).

The embedded index lives in the serving process: there, a worker backfills a model missing
chunks on its own (`embedder.backfill_every_s`), and this command has nothing to work on.
"""

from __future__ import annotations

import asyncio
import sys
import time

from askdocs.application.backfill_embeddings import BackfillProgress
from askdocs.application.errors import UpstreamError
from askdocs.entrypoints.cli.startup import (
    CONFIGURATION_ERROR,
    StartupFailure,
    check_database,
    database_failure,
)
from askdocs.entrypoints.container import Container, build_container
from askdocs.entrypoints.infrastructure import services_closed_after
from askdocs.entrypoints.settings import Settings, load_settings

PROGRESS_EVERY_S = 2.0


def run(*, model: str | None, listing: bool, drop: str | None) -> int:
    """Backfill, list or drop; 0 when done.

    Raises:
        SettingsError: a setting that cannot work. StartupFailure: no database or an unknown
            model (status 2), a database or model that failed (status 1).
    """
    settings = load_settings()
    url = settings.database.url
    if not url:
        raise StartupFailure(
            "the embedded index is the serving process's own: its worker backfills models "
            "there; set ASKDOCS_DATABASE__URL to reembed a shared index",
            exit_status=CONFIGURATION_ERROR,
        )
    check_database(url)
    try:
        if listing:
            return asyncio.run(_list(settings))
        if drop is not None:
            return asyncio.run(_drop(settings, drop))
        assert model is not None
        return asyncio.run(_backfill(settings, model))
    except UpstreamError as exc:
        raise database_failure(url, exc) from exc


def _configured(container: Container) -> dict[str, str]:
    """Model id -> the name it is configured by (`embedder.models`; `embedder` alone)."""
    settings = container.settings().embedder
    names = settings.model_names or ["embedder"]
    return {e.model_id: name for e, name in zip(container.embedders(), names, strict=True)}


async def _backfill(settings: Settings, name: str) -> int:
    async with services_closed_after(build_container(settings)) as container:
        by_id = {configured: model_id for model_id, configured in _configured(container).items()}
        if name.lower() not in by_id:
            raise StartupFailure(
                f"no embedding model {name!r} in embedder.models (configured: {', '.join(by_id)})",
                exit_status=CONFIGURATION_ERROR,
            )
        embedder = container.embedding_models().named(by_id[name.lower()])
        assert embedder is not None
        report = _Reporter()
        try:
            done = await container.backfill_embeddings().execute(embedder, progress=report)
        except UpstreamError as exc:  # the model or the database: what is stored stays
            print(
                f"askdocs reembed: {exc.detail} after "
                f"{report.embedded:,} chunks; run it again to go on from there",
                file=sys.stderr,
            )
            return 1
    print(f"{done.model}: {done.embedded:,} chunks embedded; it covers every live chunk")
    return 0


class _Reporter:
    """Prints progress to stderr every PROGRESS_EVERY_S seconds."""

    def __init__(self) -> None:
        self.embedded = 0
        self._printed = 0.0

    def __call__(self, progress: BackfillProgress) -> None:
        self.embedded = progress.embedded
        now = time.monotonic()
        if now - self._printed >= PROGRESS_EVERY_S or progress.remaining == 0:
            self._printed = now
            print(
                f"{progress.model}: {progress.embedded:,} embedded, {progress.remaining:,} to go",
                file=sys.stderr,
                flush=True,
            )


async def _list(settings: Settings) -> int:
    async with services_closed_after(build_container(settings)) as container:
        configured = _configured(container)
        coverage = await container.index().coverage()
    print(f"live chunks: {coverage.live_chunks:,}")
    for model_id in sorted({*coverage.by_model, *configured}):
        held = coverage.by_model.get(model_id, 0)
        name = f"embedder.models: {configured[model_id]}" if model_id in configured else "unused"
        print(f"{model_id}: {held:,} of {coverage.live_chunks:,} ({name})")
    return 0


async def _drop(settings: Settings, model_id: str) -> int:
    async with services_closed_after(build_container(settings)) as container:
        if model_id in _configured(container):
            raise StartupFailure(
                f"{model_id} is configured ({_configured(container)[model_id]}): remove it "
                "from embedder.models first, or ingestion would store it again",
                exit_status=CONFIGURATION_ERROR,
            )
        removed = await container.index().drop_model(model_id)
    print(f"{model_id}: {removed:,} chunks and its search index removed")
    return 0
