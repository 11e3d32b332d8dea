"""The library on PostgreSQL: what one Askdocs ingests, another finds after it has closed."""

from __future__ import annotations

from pathlib import Path

from askdocs import Askdocs
from askdocs.adapters.postgres.database import PostgresDatabase

RESET = b"To reset the device, hold the reset button for ten seconds."


async def test_documents_ingested_by_the_library_outlive_it_in_postgresql(
    postgres: PostgresDatabase, tmp_path: Path
) -> None:
    settings = {"database__url": postgres.url, "documents__blob_dir": str(tmp_path)}
    async with Askdocs(**settings) as first:
        document = await first.ingest(RESET, filename="manual.txt", tags=["manuals"])
        async with postgres.connection() as connection:
            jobs_waiting = await connection.fetchval("SELECT count(*) FROM pgqueuer")

    async with Askdocs(**settings) as second:
        assert [d.id for d in await second.documents(tags=["manuals"])] == [document.id]
        answer = await second.ask("How do I reset the device?")

    assert jobs_waiting == 0
    assert [s.document_id for s in answer.sources] == [document.id]
    assert "ten seconds" in answer.text
