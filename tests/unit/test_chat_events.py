"""The SSE plumbing of streamed answers: pings while the model is silent, and closing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from askdocs.entrypoints.http.chat_events import with_pings


async def test_a_silent_source_gets_pings_until_its_next_item() -> None:
    async def slow() -> AsyncIterator[str]:
        yield "first"
        await asyncio.sleep(0.2)
        yield "second"

    received = [item async for item in with_pings(slow(), interval_s=0.03)]

    assert received[0] == "first"
    assert received[-1] == "second"
    assert received.count(None) >= 2
    assert set(received[1:-1]) == {None}


async def test_a_busy_source_gets_no_pings() -> None:
    async def busy() -> AsyncIterator[int]:
        for n in range(1000):
            yield n

    assert [item async for item in with_pings(busy(), interval_s=10)] == list(range(1000))


async def test_an_error_of_the_source_reaches_the_consumer() -> None:
    async def failing() -> AsyncIterator[str]:
        yield "ok"
        raise RuntimeError("upstream broke")

    stream = with_pings(failing(), interval_s=10)
    assert await anext(stream) == "ok"
    with pytest.raises(RuntimeError, match="upstream broke"):
        await anext(stream)


async def test_closing_the_consumer_closes_the_source() -> None:
    closed = asyncio.Event()

    async def endless() -> AsyncIterator[int]:
        try:
            n = 0
            while True:
                yield n
                n += 1
                await asyncio.sleep(0)
        finally:
            closed.set()

    stream = with_pings(endless(), interval_s=10)
    assert await anext(stream) == 0
    await stream.aclose()  # type: ignore[attr-defined]
    await asyncio.wait_for(closed.wait(), timeout=1)
