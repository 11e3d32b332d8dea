"""The Redis circuit breaker's states, on a clock the tests move: no Redis, no sockets."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import pytest
import redis.exceptions
from structlog.testing import capture_logs

from askdocs.adapters.metrics.prometheus import PrometheusMetrics
from askdocs.adapters.redis.breaker import CircuitBreaker
from askdocs.application.errors import UpstreamUnavailable
from tests.support.timers import FakeTimer

COOLDOWN_S = 5.0


class Redis:
    """Stands for the server: counts the calls that reached it and answers as told."""

    def __init__(self) -> None:
        self.reached = 0
        self.failure: BaseException | None = None

    async def call(self, breaker: CircuitBreaker, reply: Awaitable[object] | None = None) -> object:
        with breaker.guard():
            self.reached += 1
            if reply is not None:
                return await reply
            if self.failure is not None:
                raise self.failure
            return "OK"


@pytest.fixture
def clock() -> FakeTimer:
    return FakeTimer()


@pytest.fixture
def breaker(clock: FakeTimer) -> CircuitBreaker:
    return CircuitBreaker(cooldown_s=COOLDOWN_S, clock=clock)


async def outcome(call: Awaitable[object]) -> object:
    try:
        return await call
    except Exception as exc:
        return exc


async def open_it(breaker: CircuitBreaker, server: Redis) -> None:
    server.failure = redis.exceptions.TimeoutError("Timeout reading from socket")
    with pytest.raises(redis.exceptions.TimeoutError):
        await server.call(breaker)


async def waiting_call(
    breaker: CircuitBreaker, server: Redis
) -> tuple[asyncio.Task[object], asyncio.Future[object]]:
    """A call that reached Redis and waits for its reply, and the future that will be it."""
    reply: asyncio.Future[object] = asyncio.get_running_loop().create_future()
    call = asyncio.create_task(server.call(breaker, reply))
    await asyncio.sleep(0)
    return call, reply


async def trial_out(
    breaker: CircuitBreaker, server: Redis, clock: FakeTimer
) -> tuple[asyncio.Task[object], asyncio.Future[object]]:
    """Open the breaker, let its period end, and send the trial; it waits for its reply."""
    await open_it(breaker, server)
    clock.now += COOLDOWN_S
    return await waiting_call(breaker, server)


async def test_calls_reach_redis_while_it_answers(breaker: CircuitBreaker) -> None:
    server = Redis()
    assert [await server.call(breaker) for _ in range(3)] == ["OK"] * 3
    assert server.reached == 3


@pytest.mark.parametrize(
    "failure",
    [
        redis.exceptions.TimeoutError("Timeout reading from socket"),
        redis.exceptions.ConnectionError("Connection refused"),
        TimeoutError(),
        ConnectionResetError(),
    ],
    ids=["redis timeout", "redis connection error", "asyncio timeout", "reset"],
)
async def test_one_failure_to_reach_redis_makes_the_next_calls_fail_at_once(
    breaker: CircuitBreaker, failure: BaseException
) -> None:
    server = Redis()
    server.failure = failure
    first = await outcome(server.call(breaker))
    server.failure = None
    later = [await outcome(server.call(breaker)) for _ in range(5)]

    assert first is failure
    assert all(isinstance(o, UpstreamUnavailable) for o in later)
    assert server.reached == 1
    assert "next try in 5.0 s" in str(later[0])


@pytest.mark.parametrize(
    "reply_error",
    [
        redis.exceptions.ResponseError("WRONGTYPE Operation against a key holding the wrong kind"),
        redis.exceptions.ResponseError("ERR user_script:1: Script attempted to access a key"),
        redis.exceptions.NoScriptError("NOSCRIPT No matching script"),
        redis.exceptions.OutOfMemoryError("OOM command not allowed"),
        redis.exceptions.DataError("Invalid input of type: 'dict'"),
        ValueError("a bug of ours"),
    ],
    ids=["wrongtype", "script error", "noscript", "oom", "unencodable", "bug"],
)
async def test_errors_that_are_not_about_reaching_redis_leave_it_closed(
    breaker: CircuitBreaker, reply_error: BaseException
) -> None:
    server = Redis()
    server.failure = reply_error
    assert await outcome(server.call(breaker)) is reply_error
    server.failure = None
    assert await server.call(breaker) == "OK"
    assert server.reached == 2


async def test_after_the_cooldown_one_trial_reaches_redis_and_its_success_closes_it(
    breaker: CircuitBreaker, clock: FakeTimer
) -> None:
    server = Redis()
    await open_it(breaker, server)
    server.failure = None
    clock.now += COOLDOWN_S - 0.01
    assert isinstance(await outcome(server.call(breaker)), UpstreamUnavailable)
    clock.now += 0.01

    assert [await server.call(breaker) for _ in range(3)] == ["OK"] * 3
    assert server.reached == 4  # the failure, the trial, two more


async def test_a_reply_that_is_an_error_is_a_successful_trial(
    breaker: CircuitBreaker, clock: FakeTimer
) -> None:
    server = Redis()
    await open_it(breaker, server)
    clock.now += COOLDOWN_S
    server.failure = redis.exceptions.ResponseError("WRONGTYPE")
    await outcome(server.call(breaker))
    server.failure = None
    assert await server.call(breaker) == "OK"


async def test_a_failed_trial_opens_it_for_another_whole_period(
    breaker: CircuitBreaker, clock: FakeTimer
) -> None:
    server = Redis()
    await open_it(breaker, server)
    clock.now += COOLDOWN_S + 2
    assert isinstance(await outcome(server.call(breaker)), redis.exceptions.TimeoutError)
    server.failure = None
    clock.now += COOLDOWN_S - 0.01
    assert isinstance(await outcome(server.call(breaker)), UpstreamUnavailable)
    clock.now += 0.01
    assert await server.call(breaker) == "OK"
    assert server.reached == 3  # the failure, the failed trial, the good one


async def test_while_a_trial_is_out_every_other_call_fails_at_once(
    breaker: CircuitBreaker, clock: FakeTimer
) -> None:
    server = Redis()
    trial, reply = await trial_out(breaker, server, clock)
    others = await asyncio.gather(*(outcome(server.call(breaker)) for _ in range(10)))
    reply.set_result("PONG")
    server.failure = None

    assert await trial == "PONG"
    assert all(isinstance(o, UpstreamUnavailable) for o in others)
    assert server.reached == 2
    assert await server.call(breaker) == "OK"


async def test_a_trial_whose_caller_gave_up_lets_the_next_call_try(
    breaker: CircuitBreaker, clock: FakeTimer
) -> None:
    server = Redis()
    trial, _ = await trial_out(breaker, server, clock)
    trial.cancel()
    with pytest.raises(asyncio.CancelledError):
        await trial

    server.failure = None
    assert await server.call(breaker) == "OK"


async def test_calls_that_failed_together_count_once(
    breaker: CircuitBreaker, clock: FakeTimer
) -> None:
    # One batch: every command of a pipeline that timed out sees the failure, one after another.
    first_failure = clock.now
    replies = [asyncio.get_running_loop().create_future() for _ in range(3)]
    server = Redis()
    calls = [asyncio.create_task(server.call(breaker, reply)) for reply in replies]
    await asyncio.sleep(0)
    for reply in replies:
        reply.set_exception(redis.exceptions.TimeoutError())
        await asyncio.sleep(0)
        clock.now += 1
    await asyncio.gather(*calls, return_exceptions=True)

    clock.now = first_failure + COOLDOWN_S
    assert await server.call(breaker) == "OK"  # the period began at the first failure


async def test_a_reply_to_a_call_from_before_the_failure_is_not_taken_for_the_trial(
    breaker: CircuitBreaker, clock: FakeTimer
) -> None:
    server = Redis()
    before, late = await waiting_call(breaker, server)
    trial, reply = await trial_out(breaker, server, clock)

    late.set_result("OK")
    await before
    during_trial = await outcome(server.call(breaker))
    reply.set_exception(redis.exceptions.TimeoutError())
    await outcome(trial)

    assert isinstance(during_trial, UpstreamUnavailable)
    assert isinstance(await outcome(server.call(breaker)), UpstreamUnavailable)


async def test_an_outage_is_logged_once_when_it_opens_and_once_when_it_closes(
    clock: FakeTimer,
) -> None:
    metrics = PrometheusMetrics()
    breaker = CircuitBreaker(cooldown_s=COOLDOWN_S, clock=clock, metrics=metrics)
    server = Redis()
    with capture_logs() as logs:
        await open_it(breaker, server)
        open_gauge = metrics.registry.get_sample_value("askdocs_redis_breaker_open")
        for _ in range(3):  # three periods with a failed trial and refused calls
            clock.now += COOLDOWN_S
            await outcome(server.call(breaker))
            await outcome(server.call(breaker))
        server.failure = None
        clock.now += COOLDOWN_S
        await server.call(breaker)

    assert [(e["event"], e["log_level"]) for e in logs] == [
        ("redis_breaker_opened", "warning"),
        ("redis_breaker_closed", "info"),
    ]
    assert logs[0]["error"] == "TimeoutError"
    assert (logs[1]["failed_trials"], logs[1]["refused_calls"]) == (3, 3)
    assert logs[1]["open_s"] == 4 * COOLDOWN_S
    assert metrics.registry.get_sample_value("askdocs_redis_breaker_opened_total") == 1
    assert (open_gauge, metrics.registry.get_sample_value("askdocs_redis_breaker_open")) == (1, 0)
