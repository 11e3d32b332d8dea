"""`askdocs eval`: ingest a corpus into embedded stores and score retrieval on a golden set.

It runs in process on the in-memory adapters (no server, no database): only the settings that
shape retrieval and answers are taken from the environment (`EVALUATED_SETTINGS`), so the same
command compares embedders, chunk sizes, fusion weights or chat models without touching any
shared service. With a database URL, documents and index are the PostgreSQL adapters instead,
in a schema created for the run and dropped after it (`eval_database`).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import os
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from dependency_injector import providers

from askdocs.adapters.postgres.migrations import MigrationError
from askdocs.application.errors import AppError
from askdocs.application.evaluate_retrieval import EvaluateRetrieval
from askdocs.application.ingest_document import Upload
from askdocs.domain.errors import DomainError
from askdocs.domain.evaluation import GoldenCase, RetrievalReport
from askdocs.domain.principals import Principal, Role
from askdocs.entrypoints.cli.eval_database import evaluation_schema, settle
from askdocs.entrypoints.cli.golden import (
    GoldenFileError,
    Mode,
    corpus_files,
    default_corpus_list,
    load_golden,
)
from askdocs.entrypoints.container import build_container
from askdocs.entrypoints.infrastructure import services_closed_after
from askdocs.entrypoints.settings import Settings, load_settings

EVALUATED_SETTINGS = (
    "ASKDOCS_EMBEDDER__",
    "ASKDOCS_LLM__",
    "ASKDOCS_TOKENIZER__",
    "ASKDOCS_DOCUMENTS__CHUNK_",
    "ASKDOCS_INDEX__",
    "ASKDOCS_RERANK__",
)
"""Prefixes of the ASKDOCS_* variables an evaluation honours; every other one is ignored."""
_MODE_WEIGHTS: Mapping[Mode, Mapping[str, str]] = {
    "hybrid": {},
    "vector": {"ASKDOCS_INDEX__TEXT_WEIGHT": "0"},
    "text": {"ASKDOCS_INDEX__VECTOR_WEIGHT": "0"},
}
_EVALUATOR = Principal(subject="askdocs-eval", role=Role.EDITOR)
SHOWN_MISSES = 5


class _SequentialIds:
    """Ids in ingestion order: equal scores fall to the smaller chunk id, so with random
    document ids the same corpus could rank ties differently from one run to the next."""

    def __init__(self) -> None:
        self._issued = itertools.count(1)

    def new_id(self) -> str:
        return f"eval{next(self._issued):08d}"


@dataclasses.dataclass(frozen=True, slots=True)
class Evaluation:
    """A report with what it took to build the index it was measured on."""

    report: RetrievalReport
    settings: Settings
    files: int
    chunks: int
    ingest_seconds: float


def evaluation_settings(
    mode: Mode, blob_dir: str, environ: Mapping[str, str], *, database_url: str = ""
) -> Settings:
    """Embedded settings (PostgreSQL ones with a `database_url`), with the evaluated ones from
    `environ` and the mode's weights."""
    backend = "postgres" if database_url else "memory"
    chosen = {k: v for k, v in environ.items() if k.startswith(EVALUATED_SETTINGS)}
    chosen.update(
        {
            "ASKDOCS_DATABASE__URL": database_url,
            "ASKDOCS_DOCUMENTS__BACKEND": backend,
            "ASKDOCS_INDEX__BACKEND": backend,
            "ASKDOCS_DOCUMENTS__BLOB_DIR": blob_dir,
            "ASKDOCS_METRICS__BACKEND": "noop",
            "ASKDOCS_INDEX__RECALL_SAMPLE_RATE": "0",  # no background searches to outlive the run
            **_MODE_WEIGHTS[mode],
        }
    )
    return load_settings(chosen)


async def evaluate(
    cases: Sequence[GoldenCase],
    *,
    corpus_root: Path,
    files: Sequence[str],
    mode: Mode = "hybrid",
    environ: Mapping[str, str] | None = None,
    database_url: str | None = None,
) -> Evaluation:
    """Ingest `files` (named by their path under `corpus_root`) and evaluate `cases` on them,
    in memory, or in a new schema of the `database_url` database when one is given.

    Raises:
        GoldenFileError: a corpus file was refused. OSError: one cannot be read.
        AppError, DomainError: the evaluation itself failed.
        MigrationError: the new schema could not be migrated.
    """
    async with contextlib.AsyncExitStack() as stack:
        schema_url = ""
        if database_url is not None:
            schema_url = await stack.enter_async_context(evaluation_schema(database_url))
        blob_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="askdocs-eval-"))
        settings = evaluation_settings(
            mode, blob_dir, {} if environ is None else environ, database_url=schema_url
        )
        # Closed before the schema is dropped: no session outlives its tables.
        container = await stack.enter_async_context(
            services_closed_after(build_container(settings))
        )
        container.ids.override(providers.Object(_SequentialIds()))
        ingest = container.ingest_document()
        started = time.perf_counter()
        chunks = 0
        for name in files:
            data = await asyncio.to_thread((corpus_root / name).read_bytes)
            try:
                result = await ingest.execute(Upload(data, filename=name, principal=_EVALUATOR))
            except AppError as exc:
                raise GoldenFileError(f"{name} was refused: {exc.detail}") from exc
            chunks += result.chunks_embedded
        if schema_url:
            await settle(container.database())
        ingest_seconds = time.perf_counter() - started
        use_case = EvaluateRetrieval(
            retrieve=container.retrieve_passages(),
            chat_model=container.chat_model(),
            answer_k=settings.index.top_k,
            min_coverage=settings.index.min_coverage,
        )
        report = await use_case.execute(cases)
    return Evaluation(report, settings, len(files), chunks, ingest_seconds)


def run(
    golden: str, *, root: str, files: str | None, mode: Mode, database_url: str | None = None
) -> int:
    """Print the evaluation of the `golden` file over the corpus under `root`.

    The corpus is the files `files` lists, else those of the list beside the golden file
    (`default_corpus_list`), else every file under `root`. With `database_url`, the evaluation
    runs on PostgreSQL in a schema of its own. Exit status 2 when it cannot run.
    """
    corpus_root = Path(root)
    listing = Path(files) if files else default_corpus_list(Path(golden))
    try:
        cases = load_golden(Path(golden))
        names = corpus_files(corpus_root, listing if files or listing.is_file() else None)
        evaluation = asyncio.run(
            evaluate(
                cases,
                corpus_root=corpus_root,
                files=names,
                mode=mode,
                environ=os.environ,
                database_url=database_url,
            )
        )
    except (GoldenFileError, AppError, DomainError, MigrationError, OSError) as exc:
        print(f"askdocs eval: {exc}", file=sys.stderr)
        return 2
    print("\n".join(report_lines(evaluation, mode)))
    return 0


def report_lines(evaluation: Evaluation, mode: Mode) -> list[str]:
    """The report as printed: scores first, then the first few misses."""
    report, index = evaluation.report, evaluation.settings.index
    lines = [
        f"{report.count} questions over {evaluation.files} files ({evaluation.chunks} chunks "
        f"ingested in {evaluation.ingest_seconds:.1f} s); {index.backend} index, mode {mode}: "
        f"vector weight {index.vector_weight:g}, text weight {index.text_weight:g}",
        *(f"recall@{k:<3} {value:.3f}" for k, value in report.recall.items()),
        f"MRR@{max(report.recall):<6} {report.mrr:.3f}",
        f"answer contains the expected string: {report.answer_contains:.3f}",
        f"answered (of answerable questions): {report.answered:.3f}",
        f"declined (of {report.unanswerable} unanswerable questions): {report.abstention:.3f}",
        f"misses (source not in the top {max(report.recall)}): {len(report.misses)}",
    ]
    for miss in report.misses[:SHOWN_MISSES]:
        got = ", ".join(dict.fromkeys(miss.retrieved)) or "nothing"
        lines.append(f"  {miss.case.question!r}: expected {miss.case.document}; got {got}")
    return lines
