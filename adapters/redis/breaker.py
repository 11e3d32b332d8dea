"""A circuit breaker: after Redis fails to answer, calls fail at once until a trial succeeds.

A hung Redis (a stopped process, a dropped route) accepts connections and answers nothing, so
every call waits the whole socket timeout before its caller degrades; a chat makes several
calls one after another, and each would wait. Once a call fails to reach Redis, the breaker
opens: calls fail at once with UpstreamUnavailable for `cooldown_s`, then one call is let
through as a trial. Its success closes the breaker; its failure opens it for another period.
So a hung Redis costs one timeout per period, per process, instead of several per request.

One failure opens it. A failure here is a timeout (thousands of times a normal round trip) or
a refused or reset connection, not noise; every further failure a threshold waited for would
cost one more request a whole timeout; and a breaker opened by a blip costs one period of
degraded answers, which is what the callers already give while Redis is away.

Only failures to reach Redis count: timeouts and redis-py's connection errors (a refused
password and a Redis still loading its data among them). A reply that is an error (WRONGTYPE,
NOSCRIPT, OOM, a script's error) proves Redis answered. Anything else (a cancelled caller, an
argument redis-py cannot encode) says nothing about Redis: a trial ending that way lets the
next call try.
"""

from __future__ import annotations

import contextlib
import enum
import time
from collections.abc import Callable, Iterator

import redis.exceptions
import structlog

from askdocs.application.errors import UpstreamUnavailable
from askdocs.application.ports.observability import Metrics

log = structlog.get_logger("askdocs.redis")

# redis-py's TimeoutError is not the built-in one; the built-in one, refused and reset
# connections are OSErrors.
_UNREACHED = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class _State(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    TRIAL = "trial"
    """Open, with one call let through to see whether Redis answers again."""


class CircuitBreaker:
    """Opens at the first failure to reach Redis; one trial call per `cooldown_s` after that.

    Args:
        cooldown_s: how long calls fail at once before one is let through as a trial.
        clock: monotonic seconds.
        metrics: counts `redis_breaker_opened` (outages) and sets the `redis_breaker_open`
            gauge (1 while calls fail at once, 0 once Redis answers again).
    """

    def __init__(
        self,
        *,
        cooldown_s: float,
        clock: Callable[[], float] = time.monotonic,
        metrics: Metrics | None = None,
    ) -> None:
        self._cooldown_s = cooldown_s
        self._clock = clock
        self._metrics = metrics
        self._state = _State.CLOSED
        # Moves on at every change of state: a call admitted before the last change no longer
        # has a say (a batch failing together counts once; a late reply cannot close a trial).
        self._epoch = 0
        self._retry_at = 0.0
        self._opened_at = 0.0
        self._refused = 0
        self._failed_trials = 0

    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """Run the block as one call to Redis and let its outcome move the breaker.

        Raises:
            UpstreamUnavailable: at once, without running the block, while the breaker is open
                and its period has not ended, or while another call is the trial.
        """
        epoch = self._admit()
        try:
            yield
        except redis.exceptions.ResponseError:
            self._answered(epoch)
            raise
        except _UNREACHED as exc:
            self._unreached(epoch, exc)
            raise
        except BaseException:
            self._undecided(epoch)
            raise
        self._answered(epoch)

    def _admit(self) -> int:
        if self._state is _State.CLOSED:
            return self._epoch
        now = self._clock()
        if self._state is _State.OPEN and now >= self._retry_at:
            self._move(_State.TRIAL)
            return self._epoch
        self._refused += 1
        if self._state is _State.TRIAL:
            raise UpstreamUnavailable("Redis is unavailable (breaker open, a trial call is out)")
        wait_s = self._retry_at - now
        raise UpstreamUnavailable(
            f"Redis is unavailable (breaker open, next try in {wait_s:.1f} s)"
        )

    def _answered(self, epoch: int) -> None:
        if epoch == self._epoch and self._state is _State.TRIAL:
            log.info(
                "redis_breaker_closed",
                open_s=round(self._clock() - self._opened_at, 3),
                refused_calls=self._refused,
                failed_trials=self._failed_trials,
            )
            self._move(_State.CLOSED)
            self._gauge(0)

    def _unreached(self, epoch: int, exc: BaseException) -> None:
        if epoch != self._epoch:
            return
        now = self._clock()
        if self._state is _State.CLOSED:
            self._opened_at, self._refused, self._failed_trials = now, 0, 0
            log.warning(
                "redis_breaker_opened", cooldown_s=self._cooldown_s, error=type(exc).__name__
            )
            if self._metrics is not None:
                self._metrics.increment("redis_breaker_opened")
            self._gauge(1)
        else:
            self._failed_trials += 1
        self._retry_at = now + self._cooldown_s
        self._move(_State.OPEN)

    def _undecided(self, epoch: int) -> None:
        if epoch == self._epoch and self._state is _State.TRIAL:
            self._move(_State.OPEN)  # its period is over already: the next call is the trial

    def _move(self, state: _State) -> None:
        self._state = state
        self._epoch += 1

    def _gauge(self, value: float) -> None:
        if self._metrics is not None:
            self._metrics.gauge("redis_breaker_open", value)
