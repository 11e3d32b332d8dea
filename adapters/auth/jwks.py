"""An identity provider's signing keys, fetched from its JWKS URL, cached, and refetched when
it rotates them, at a bounded rate."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx
import jwt
import structlog

from askdocs.adapters.auth.algorithms import ASYMMETRIC_ALGORITHMS
from askdocs.application.errors import UpstreamUnavailable

FETCH_TIMEOUT_S = 5.0
MAX_JWKS_BYTES = 512 * 1024
log = structlog.get_logger("askdocs.auth")

KeyId = str | None
Keys = dict[tuple[KeyId, str], jwt.PyJWK]


class JwksKeySet:
    """Public signing keys from a JWKS URL (an identity provider's `jwks_uri`).

    The set is fetched on first use and again once `cache_s` has passed. A token naming a key
    the cached set lacks (the provider has rotated its keys) causes a refetch, but at most one
    every `refetch_s`, so a flood of tokens with made-up key ids costs the provider one request
    per interval; concurrent lookups wait for the same fetch. A fetch that fails keeps the keys
    known before, so a provider outage does not lock out holders of valid tokens.

    Args:
        url: the JWKS URL (http or https; redirects are not followed).
        algorithms: the algorithms tokens may use; each key is bound to one of them.
        cache_s: how long a fetched set is used before it is fetched again.
        refetch_s: the least time between two fetches, whatever causes them.
        transport: the httpx transport (a MockTransport in tests); the network by default.
        monotonic: the clock the intervals are measured on.

    Raises:
        ValueError: no algorithm, or one a public key cannot be trusted with.
    """

    def __init__(
        self,
        url: str,
        *,
        algorithms: Sequence[str],
        cache_s: float,
        refetch_s: float,
        transport: httpx.AsyncBaseTransport | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if not algorithms or not set(algorithms) <= ASYMMETRIC_ALGORITHMS:
            raise ValueError(f"JWKS keys verify only {sorted(ASYMMETRIC_ALGORITHMS)}")
        self.algorithms = tuple(algorithms)
        self._url = url
        self._cache_s = cache_s
        self._refetch_s = refetch_s
        self._transport = transport
        self._monotonic = monotonic
        self._client: httpx.AsyncClient | None = None
        self._lock = asyncio.Lock()
        self._keys: Keys = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None

    async def key_for(self, kid: KeyId, algorithm: str) -> jwt.PyJWK | None:
        """The key `kid` bound to `algorithm`, or None when the provider has no such key.

        A token without a key id gets the set's only key for its algorithm, if there is one.

        Raises:
            UpstreamUnavailable: the set has never been fetched, and fetching it fails.
        """
        if self._fetched_at is None or self._monotonic() - self._fetched_at >= self._cache_s:
            await self._refresh()
        if self._fetched_at is None:
            raise UpstreamUnavailable("the identity provider's signing keys cannot be fetched")
        key = self._find(kid, algorithm)
        if key is None:
            await self._refresh()
            key = self._find(kid, algorithm)
        return key

    async def aclose(self) -> None:
        """Close the HTTP client, if a fetch ever opened it."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _due(self) -> bool:
        return self._attempted_at is None or (
            self._monotonic() - self._attempted_at >= self._refetch_s
        )

    def _find(self, kid: KeyId, algorithm: str) -> jwt.PyJWK | None:
        if kid is not None:
            return self._keys.get((kid, algorithm))
        candidates = [key for (_, bound), key in self._keys.items() if bound == algorithm]
        return candidates[0] if len(candidates) == 1 else None

    async def _refresh(self) -> None:
        """Fetch the set, unless a fetch happened too recently or while this lookup waited
        for the one in flight (whose outcome it then shares)."""
        seen = self._attempted_at
        async with self._lock:
            if self._attempted_at != seen or not self._due():
                return
            self._attempted_at = self._monotonic()
            try:
                self._keys = self._bind(await self._fetch())
            except UpstreamUnavailable as exc:
                log.warning("jwks_fetch_failed", url=self._url, reason=exc.detail)
                return
            self._fetched_at = self._attempted_at
            log.info("jwks_fetched", url=self._url, keys=len(self._keys))

    async def _fetch(self) -> list[Any]:
        if self._client is None:
            self._client = httpx.AsyncClient(
                transport=self._transport,
                timeout=FETCH_TIMEOUT_S,
                headers={"Accept": "application/json"},
            )
        try:
            async with self._client.stream("GET", self._url) as response:
                if response.status_code != 200:
                    raise UpstreamUnavailable(f"the JWKS URL answered {response.status_code}")
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_JWKS_BYTES:
                        raise UpstreamUnavailable(f"the JWKS exceeds {MAX_JWKS_BYTES} bytes")
        except httpx.HTTPError as exc:
            raise UpstreamUnavailable(f"cannot fetch the JWKS: {type(exc).__name__}") from exc
        try:
            document = json.loads(body)
        except ValueError as exc:
            raise UpstreamUnavailable("the JWKS is not JSON") from exc
        keys = document.get("keys") if isinstance(document, dict) else None
        if not isinstance(keys, list):
            raise UpstreamUnavailable("the JWKS holds no `keys` list")
        return keys

    def _bind(self, entries: list[Any]) -> Keys:
        """Each signing key bound to every allowed algorithm of its family (or to its own
        `alg`, when it names one); keys for encryption or of another family are left out."""
        keys: Keys = {}
        for entry in entries:
            if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
                continue
            kid = entry.get("kid") if isinstance(entry.get("kid"), str) else None
            for algorithm in self.algorithms:
                if entry.get("alg", algorithm) != algorithm:
                    continue
                try:
                    keys[(kid, algorithm)] = jwt.PyJWK(entry, algorithm)
                except (jwt.PyJWTError, ValueError, TypeError, KeyError):
                    continue  # an RSA key tried as an EC one, or a malformed entry
        return keys
