"""`askdocs worker` hands back what it opened: its Redis connections and its database pool are
closed when it stops, as the table of shared services says for its settings."""

from __future__ import annotations

from pathlib import Path

from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.adapters.redis.client import RedisClient
from askdocs.application.ingest_document import Upload
from askdocs.domain.principals import Principal, Role
from askdocs.entrypoints.cli.worker import work
from askdocs.entrypoints.container import build_container
from askdocs.entrypoints.settings import load_settings
from tests.support.redis import redis_url

EDITOR = Principal(subject="alice", role=Role.EDITOR)


async def _connection_ids(client: RedisClient) -> set[int]:
    listing = (await client.redis.execute_command("CLIENT", "LIST")).decode()
    return {int(field.split("=")[1]) for line in listing.splitlines() for field in
            line.split() if field.startswith("id=")}  # fmt: skip


async def test_a_worker_that_stops_leaves_no_redis_connection_and_no_pool_open(
    postgres: PostgresDatabase, redis_client: RedisClient, tmp_path: Path
) -> None:
    container = build_container(
        load_settings(
            {
                "ASKDOCS_DATABASE__URL": postgres.url,
                "ASKDOCS_REDIS__URL": redis_url(),
                "ASKDOCS_REDIS__PREFIX": redis_client.prefix,
                "ASKDOCS_DOCUMENTS__BLOB_DIR": str(tmp_path / "blobs"),
                "ASKDOCS_WORKER__CONCURRENCY": "1",
                "ASKDOCS_METRICS__BACKEND": "noop",
            }
        )
    )
    upload = Upload(b"The ferry leaves the harbour at noon.", "ferry.txt", EDITOR)
    await container.submit_document().execute(upload)
    # The worker's own Redis connection, opened the way its adapters open it.
    worker_redis = container.redis()
    await worker_redis.ping()
    worker_connection = await worker_redis.redis.client_id()
    assert worker_connection in await _connection_ids(redis_client)
    pool = await container.database().pool()

    status = await work(container, max_jobs=1)

    assert status == 0
    assert worker_connection not in await _connection_ids(redis_client)
    assert pool.is_closing()
