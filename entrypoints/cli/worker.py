"""`askdocs worker`: ingestion worker processes fed by the PostgreSQL job queue.

With one process and no recycling the worker runs in this process. Otherwise this process
supervises: it starts `worker.processes` children and starts a fresh one whenever a child
exits, whether it was recycled after `worker.max_jobs` jobs or died. SIGTERM or SIGINT stops
every child gracefully: running jobs get `worker.grace_s` to finish.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import signal
import sys
import time
from multiprocessing.process import BaseProcess

import structlog

from askdocs.application.errors import UpstreamError
from askdocs.entrypoints.cli.startup import (
    CONFIGURATION_ERROR,
    StartupFailure,
    check_database,
    configuration_checked,
)
from askdocs.entrypoints.container import Container, build_container
from askdocs.entrypoints.infrastructure import services_closed_after
from askdocs.entrypoints.logging import configure_logging_from
from askdocs.entrypoints.settings import Settings, load_settings

log = structlog.get_logger("askdocs.worker")
RESTART_PAUSE_S = 1.0


def run() -> int:
    """Exit 0 after a clean stop.

    Raises:
        SettingsError: a setting that cannot work. StartupFailure: jobs are not in PostgreSQL
            (status 2), or the database cannot be used (status 1).
    """
    settings = load_settings()
    configure_logging_from(settings.log, role="worker")
    container = build_container(settings)
    if container.settings().jobs.backend != "postgres":
        raise StartupFailure(
            "jobs are kept in memory, where `askdocs serve` runs its own worker; "
            "set ASKDOCS_DATABASE__URL to share a job queue between processes",
            exit_status=CONFIGURATION_ERROR,
        )
    check_database(settings.database.url)
    configuration_checked(container.ingestion_worker)  # what each worker process will build
    if settings.worker.processes <= 1 and settings.worker.max_jobs <= 0:
        return asyncio.run(work(container, max_jobs=None))
    return _supervise(settings)


async def work(container: Container, *, max_jobs: int | None) -> int:
    """One worker in this process, until a signal or its job budget."""
    worker = container.ingestion_worker()
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    async with services_closed_after(container):
        running = asyncio.create_task(worker.run(max_jobs=max_jobs))
        stop_asked = asyncio.create_task(stopping.wait())
        try:
            await asyncio.wait({running, stop_asked}, return_when=asyncio.FIRST_COMPLETED)
            if stopping.is_set():
                await worker.stop_task(running)
            return _exit_status(running)
        finally:
            stop_asked.cancel()
            await asyncio.to_thread(container.tracer().shutdown)  # spans still queued
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(signum)


def _exit_status(running: asyncio.Task[None]) -> int:
    if running.cancelled():
        return 0
    error = running.exception()
    if error is None:
        return 0
    if isinstance(error, UpstreamError):
        log.error("worker_failed", reason=error.detail)
        return 1
    raise error


def _child(settings: Settings) -> None:
    configure_logging_from(settings.log, role="worker")
    max_jobs = settings.worker.max_jobs or None
    sys.exit(asyncio.run(work(build_container(settings), max_jobs=max_jobs)))


def _supervise(settings: Settings) -> int:
    # spawn: a child starts from a clean interpreter, never a copy of this one's state.
    context = multiprocessing.get_context("spawn")
    stopping = False

    def request_stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    def start() -> BaseProcess:
        child = context.Process(target=_child, args=(settings,), name="askdocs-worker")
        child.start()
        log.info("worker_process_started", pid=child.pid)
        return child

    children = [start() for _ in range(max(settings.worker.processes, 1))]
    while not stopping:
        time.sleep(0.2)
        for slot, child in enumerate(children):
            if child.is_alive() or stopping:
                continue
            log.info("worker_process_exited", pid=child.pid, exitcode=child.exitcode)
            time.sleep(RESTART_PAUSE_S if child.exitcode else 0)
            children[slot] = start()
    for child in children:
        if child.is_alive() and child.pid is not None:
            child.terminate()  # SIGTERM: the child stops gracefully
    deadline = time.monotonic() + settings.worker.grace_s + 5
    for child in children:
        child.join(max(deadline - time.monotonic(), 0))
        if child.is_alive():
            child.kill()
    return 0
