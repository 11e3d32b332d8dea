"""JwksKeySet against a real JWKS server on 127.0.0.1: key rotation, the refetch rate limit,
the cache lifetime and provider outages.

Time is a fake monotonic clock the tests move, so intervals pass without sleeping; the
server's request count is what the provider would see.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from askdocs.adapters.auth.jwks import JwksKeySet
from askdocs.adapters.auth.jwt import JwtBearerTokenVerifier
from askdocs.application.errors import InvalidToken, UpstreamUnavailable
from tests.support.tokens import (
    SigningKey,
    bearer_verifier,
    ec_key,
    forged,
    jwks,
    rsa_key,
)

CACHE_S = 300.0
REFETCH_S = 30.0
OLD, NEW = rsa_key("2025-01"), ec_key("2025-02")


class JwksServer(ThreadingHTTPServer):
    """Serves `document` at /certs (or answers `status` when it is not 200); counts requests."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.document: dict[str, Any] = {"keys": []}
        self.status = 200
        self.requests = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/certs"

    def publish(self, *keys: SigningKey) -> None:
        self.document = jwks(*keys)


class _Handler(BaseHTTPRequestHandler):
    server: JwksServer

    def do_GET(self) -> None:
        self.server.requests += 1
        body = json.dumps(self.server.document).encode()
        self.send_response(self.server.status if self.path == "/certs" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def server() -> Iterator[JwksServer]:
    served = JwksServer()
    thread = threading.Thread(target=served.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield served
    served.shutdown()
    served.server_close()


@pytest.fixture
def clock() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
async def verifier(server: JwksServer, clock: FakeMonotonic) -> JwtBearerTokenVerifier:
    keys = JwksKeySet(
        server.url,
        algorithms=("RS256", "ES256"),
        cache_s=CACHE_S,
        refetch_s=REFETCH_S,
        monotonic=clock,
    )
    verifying = bearer_verifier(keys)
    yield verifying
    await verifying.aclose()


async def test_a_key_rotated_in_is_accepted_after_one_refetch(server, clock, verifier) -> None:
    server.publish(OLD)
    assert (await verifier.verify(OLD.sign(sub="before"))).subject == "before"

    server.publish(NEW)
    clock.now += REFETCH_S

    assert (await verifier.verify(NEW.sign(sub="after"))).subject == "after"
    assert server.requests == 2


async def test_made_up_key_ids_cost_the_provider_one_fetch_per_interval(
    server, clock, verifier
) -> None:
    server.publish(OLD)
    await verifier.verify(OLD.sign())
    clock.now += REFETCH_S
    stranger = rsa_key("not-published")

    for n in range(60):  # one after another: no request can share another's fetch
        with pytest.raises(InvalidToken, match="does not know"):
            await verifier.verify(forged({"alg": "RS256", "kid": f"made-up-{n}"}, b"x"))
        clock.now += REFETCH_S / 100
    with pytest.raises(InvalidToken, match="does not know"):
        await verifier.verify(stranger.sign())

    assert server.requests == 2


async def test_within_the_interval_a_new_key_waits_for_the_next_allowed_fetch(
    server, clock, verifier
) -> None:
    server.publish(OLD)
    await verifier.verify(OLD.sign())
    server.publish(OLD, NEW)
    clock.now += REFETCH_S / 2

    with pytest.raises(InvalidToken, match="does not know"):
        await verifier.verify(NEW.sign())
    assert server.requests == 1

    clock.now += REFETCH_S / 2
    assert (await verifier.verify(NEW.sign(sub="later"))).subject == "later"
    assert server.requests == 2


async def test_a_key_withdrawn_by_the_provider_stops_working_once_the_cache_expires(
    server, clock, verifier
) -> None:
    server.publish(OLD)
    await verifier.verify(OLD.sign())
    server.publish(NEW)

    clock.now += CACHE_S - 1
    assert (await verifier.verify(OLD.sign(sub="still"))).subject == "still"
    assert server.requests == 1

    clock.now += 1
    with pytest.raises(InvalidToken):
        await verifier.verify(OLD.sign())
    assert server.requests == 2


async def test_concurrent_first_requests_share_one_fetch(server, verifier) -> None:
    server.publish(OLD, NEW)

    subjects = await asyncio.gather(
        *(verifier.verify(key.sign(sub=key.kid)) for key in (OLD, NEW) * 10)
    )

    assert {claims.subject for claims in subjects} == {OLD.kid, NEW.kid}
    assert server.requests == 1


async def test_a_provider_outage_keeps_the_keys_fetched_before(server, clock, verifier) -> None:
    server.publish(OLD)
    await verifier.verify(OLD.sign())
    server.status = 503
    clock.now += CACHE_S

    assert (await verifier.verify(OLD.sign(sub="through-the-outage"))).subject == (
        "through-the-outage"
    )
    assert server.requests == 2


async def test_a_provider_down_from_the_start_makes_tokens_unverifiable_not_invalid(
    server, verifier
) -> None:
    server.status = 503

    with pytest.raises(UpstreamUnavailable):
        await verifier.verify(OLD.sign())
