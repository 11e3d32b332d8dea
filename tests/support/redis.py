"""A RedisClient per test on the server the suite is pointed at, isolated by a key prefix.

The server comes from ASKDOCS_TEST_REDIS_URL (default: the local server's database 0). It is
shared: tests never flush or reconfigure it; each gets a unique prefix `t<uuid>` and its keys
are deleted afterwards. When it cannot be reached the tests skip with the reason, or fail
when ASKDOCS_REQUIRE_SERVICES=1 (as in CI), so a missing service can never pass silently.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest

from askdocs.adapters.redis.client import RedisClient
from askdocs.application.errors import UpstreamError
from tests.support.postgres import services_required
from tests.support.settings_wiring import from_settings

DEFAULT_URL = "redis://127.0.0.1:6379/0"
# Nothing listens on port 1: connecting there fails at once with "connection refused".
DEAD_URL = "redis://127.0.0.1:1/0"


def redis_url() -> str:
    return os.environ.get("ASKDOCS_TEST_REDIS_URL", DEFAULT_URL)


def unavailable(reason: str) -> None:
    """Skip, or fail when services are required."""
    if services_required():
        pytest.fail(f"Redis is required (ASKDOCS_REQUIRE_SERVICES=1): {reason}")
    pytest.skip(f"Redis not available: {reason}")


async def delete_keys(client: RedisClient, pattern: str) -> int:
    """Delete every key matching `pattern` (SCAN, never KEYS or FLUSH); returns how many."""
    deleted = 0
    batch: list[bytes] = []
    async for key in client.redis.scan_iter(match=pattern, count=500):
        batch.append(key)
        if len(batch) == 500:
            deleted += await client.redis.delete(*batch)
            batch.clear()
    if batch:
        deleted += await client.redis.delete(*batch)
    return deleted


async def isolated_client() -> AsyncIterator[RedisClient]:
    """A RedisClient whose prefix no other test uses; its keys are deleted afterwards."""
    # A slow shared machine must not turn a test's call into a timeout.
    client = from_settings(
        RedisClient, url=redis_url(), prefix=f"t{uuid.uuid4().hex}", socket_timeout_s=5.0
    )
    try:
        await client.ping()
    except UpstreamError as exc:
        await client.close()
        unavailable(f"cannot reach the server: {exc.__cause__ or exc.detail}")
    try:
        yield client
    finally:
        await delete_keys(client, f"{client.prefix}*")
        await client.close()
