"""Commands issued in the same turn of the event loop travel to Redis as one pipeline.

A worker serving many requests at once sends each its rate-limit script, cache lookup and
memory append; one by one, every command pays a socket write, a read and redis-py's machinery
around them. `CommandBatcher` queues the commands of one loop turn and sends them as one
non-transactional pipeline: each still gets its own reply (or its own error), in order, but the
round trips are shared. Measured with 64 concurrent callers: about 21k GETs/s one by one
against 80k batched, in one process.

Nothing is transactional across commands of a batch: they are independent requests that happen
to share a write. A command's caller sees exactly what it would see alone: its reply, its
ResponseError, or the connection error that failed the whole batch.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import redis.asyncio
import redis.exceptions

Pending = tuple[tuple[Any, ...], asyncio.Future[Any]]


class CommandBatcher:
    """Queues commands and flushes them as pipelines, one per loop turn.

    Args:
        connect: the redis-py client to send through, looked up at each flush (so a client
            replaced after an outage is used at once).
    """

    def __init__(self, connect: Callable[[], redis.asyncio.Redis]) -> None:
        self._connect = connect
        self._queue: list[Pending] = []
        self._flushes: set[asyncio.Task[None]] = set()

    async def execute(self, *args: Any) -> Any:
        """Send one command (`"GET", key`, ...) with the others of this loop turn; its reply."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        if not self._queue:
            flush = loop.create_task(self._flush())
            self._flushes.add(flush)  # a reference until done, or the task may be collected
            flush.add_done_callback(self._flushes.discard)
        self._queue.append((args, future))
        return await future

    async def _flush(self) -> None:
        await asyncio.sleep(0)  # let the rest of this loop turn queue its commands too
        batch, self._queue = self._queue, []
        try:
            pipeline = self._connect().pipeline(transaction=False)
            for args, _ in batch:
                pipeline.execute_command(*args)
            replies = await pipeline.execute(raise_on_error=False)
        except BaseException as exc:  # every caller of the batch gets the batch's failure
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for (_, future), reply in zip(batch, replies, strict=True):
            if future.done():  # its caller was cancelled meanwhile
                continue
            if isinstance(reply, Exception):
                future.set_exception(reply)
            else:
                future.set_result(reply)


class BatchedScript:
    """A Lua script run with EVALSHA, loaded into Redis when missing.

    Args:
        execute: sends one command, as `CommandBatcher.execute` does.
        source: the script's Lua source.
    """

    def __init__(self, execute: Callable[..., Awaitable[Any]], source: str) -> None:
        self._execute = execute
        self._source = source
        self._sha = hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()

    async def __call__(self, keys: Sequence[str], args: Sequence[Any]) -> Any:
        command = ("EVALSHA", self._sha, len(keys), *keys, *args)
        try:
            return await self._execute(*command)
        except redis.exceptions.NoScriptError:
            # A Redis that restarted, or never ran it: load it, then run it again.
            await self._execute("SCRIPT", "LOAD", self._source)
            return await self._execute(*command)
