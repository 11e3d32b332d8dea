"""UrlFetcher over httpx, connecting only to addresses the address policy checked.

httpx resolves a URL's host on its own when it connects, so a DNS server that answers a public
address to our check and a private one a moment later (DNS rebinding) would win. Each request
therefore names the checked IP in its URL, and keeps the real name where the server needs it:
in the Host header and, through httpx's documented "sni_hostname" extension, in TLS (SNI and
certificate verification).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import re
import ssl
from collections.abc import AsyncIterator, Sequence
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx

from askdocs import __version__
from askdocs.adapters.fetching.address_policy import (
    AddressPolicy,
    IPAddress,
    Resolver,
    resolve_with_getaddrinfo,
)
from askdocs.application.errors import InvalidInput, PayloadTooLarge
from askdocs.application.ports.fetching import FetchedDocument

DEFAULT_USER_AGENT = f"askdocs/{__version__}"
_MAX_FILENAME = 200
_UNFIT_FOR_FILENAME = re.compile(r"[^\w.\-]+")


class HttpxUrlFetcher:
    """UrlFetcher: GETs untrusted http(s) URLs, refusing internal destinations (SSRF).

    Every hop, redirects included, is checked by an AddressPolicy after DNS resolution, and
    the connection goes to the checked address. One client serves all calls; `aclose` it.

    Args:
        max_bytes: the largest body accepted; a larger one raises PayloadTooLarge unread.
        timeout_s: the limit on connecting, and on each wait for data.
        max_redirects: redirects followed before giving up.
        allow: CIDRs ("10.0.0.0/8", "127.0.0.1/32") and exact host names that may be fetched
            even though they are, or resolve to, forbidden addresses.
        user_agent: the User-Agent header sent.
        deadline_s: the limit on a whole fetch, DNS and redirects included, which also stops a
            server that sends a byte just often enough to beat `timeout_s`; three times
            `timeout_s` by default.
        resolve: host name to addresses; the system resolver unless a test injects its own.
        verify: the trust store servers are verified against, e.g. one adding an internal
            CA; httpx's default (certifi) when None. Verification cannot be turned off.

    Raises:
        ValueError: an `allow` entry that is neither a network nor a host name.
    """

    def __init__(
        self,
        max_bytes: int,
        *,
        timeout_s: float,
        max_redirects: int,
        allow: Sequence[str],
        user_agent: str = DEFAULT_USER_AGENT,
        deadline_s: float | None = None,
        resolve: Resolver = resolve_with_getaddrinfo,
        verify: ssl.SSLContext | None = None,
    ) -> None:
        self._max_bytes = max_bytes
        self._max_redirects = max_redirects
        self._deadline_s = 3 * timeout_s if deadline_s is None else deadline_s
        self._policy = AddressPolicy.from_allowlist(allow)
        self._resolve = resolve
        self._client = httpx.AsyncClient(
            headers={"User-Agent": user_agent},
            timeout=httpx.Timeout(timeout_s),
            verify=True if verify is None else verify,
            follow_redirects=False,  # each hop is checked here first
            # A proxy from the environment would connect in our place, to an unchecked address.
            trust_env=False,
            # Pooled connections are keyed by the IP in the URL, so a kept-alive connection
            # verified for one host name could carry a request for another name on that IP.
            limits=httpx.Limits(max_keepalive_connections=0),
            # Cookies one caller's URL set must not travel with another caller's fetch.
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
        )

    async def fetch(self, url: str) -> FetchedDocument:
        """The document at `url`, after following redirects (see UrlFetcher)."""
        target = _acceptable(_parsed(url))
        async with _translated_errors(url), asyncio.timeout(self._deadline_s):
            for _ in range(self._max_redirects + 1):
                outcome = await self._hop(target)
                if isinstance(outcome, FetchedDocument):
                    return outcome
                target = outcome
        raise InvalidInput(f"{url} redirected more than {self._max_redirects} times")

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    async def _hop(self, url: httpx.URL) -> FetchedDocument | httpx.URL:
        """The document at `url`, or where it redirects to."""
        addresses = await self._policy.checked_addresses(_ascii_host(url), self._resolve)
        response = await self._send_to_first_reachable(url, addresses)
        try:
            if response.is_redirect:
                return _acceptable(_parsed(response.headers["Location"], base=url))
            if not response.is_success:
                raise InvalidInput(f"{url} answered HTTP {response.status_code}")
            data = await _read_capped(response, self._max_bytes, url)
        finally:
            await response.aclose()
        return FetchedDocument(
            url=str(url),
            data=data,
            content_type=response.headers.get("Content-Type"),
            filename=_filename(url),
        )

    async def _send_to_first_reachable(
        self, url: httpx.URL, addresses: Sequence[IPAddress]
    ) -> httpx.Response:
        # A host often has an address this machine has no route to (IPv6 in a container).
        for address in addresses[:-1]:
            with contextlib.suppress(httpx.ConnectError, httpx.ConnectTimeout):
                return await self._send(url, address)
        return await self._send(url, addresses[-1])

    async def _send(self, url: httpx.URL, address: IPAddress) -> httpx.Response:
        host = _ascii_host(url)
        named = not _is_ip_literal(host)
        request = self._client.build_request(
            "GET",
            url.copy_with(host=str(address)),
            headers={"Host": url.netloc.decode("ascii")},
            # SNI carries names only; an IP literal is verified against the certificate's IPs.
            extensions={"sni_hostname": host.rstrip(".")} if named else None,
        )
        return await self._client.send(request, stream=True)


@contextlib.asynccontextmanager
async def _translated_errors(url: str) -> AsyncIterator[None]:
    """httpx's and the deadline's errors as the application's, keeping the cause."""
    try:
        yield
    except (TimeoutError, httpx.TimeoutException) as exc:
        raise InvalidInput(f"{url} did not answer in time") from exc
    except httpx.ConnectError as exc:  # refused, unreachable, or a certificate that failed
        # Only permitted addresses are ever connected to, so the reason reveals nothing inside.
        raise InvalidInput(f"{url} could not be reached: {exc}") from exc
    except (httpx.RequestError, httpx.InvalidURL) as exc:  # dropped, garbled, undecodable
        raise InvalidInput(f"{url} failed during transfer ({type(exc).__name__})") from exc


def _parsed(url: str, *, base: httpx.URL | None = None) -> httpx.URL:
    try:
        return base.join(url) if base is not None else httpx.URL(url)
    except (httpx.InvalidURL, UnicodeError) as exc:  # the idna package raises UnicodeErrors
        raise InvalidInput(f"not a valid URL: {url[:200]!r}") from exc


def _acceptable(url: httpx.URL) -> httpx.URL:
    """`url` without its fragment, if askdocs may fetch it at all."""
    if url.scheme not in ("http", "https"):
        raise InvalidInput("only http and https URLs can be fetched")
    if url.userinfo:
        raise InvalidInput("URLs with credentials (user:password@) are not accepted")
    host = _ascii_host(url)
    if not host:
        raise InvalidInput("the URL has no host")
    try:
        url.host  # noqa: B018 - decodes the IDNA labels, which the idna package may refuse
    except UnicodeError as exc:
        raise InvalidInput(f"not a valid host name: {host[:100]!r}") from exc
    if not _is_ip_literal(host) and not _is_dns_name(host):
        raise InvalidInput(f"not a valid host name: {host[:100]!r}")
    return url.copy_with(fragment=None)


def _is_dns_name(host: str) -> bool:
    """Labels of 1 to 63 characters, 253 in all (RFC 1035): the resolver refuses others
    with a UnicodeError, not an answer."""
    labels = host.removesuffix(".").split(".")
    return len(host) <= _MAX_HOST_NAME and all(0 < len(label) <= _MAX_LABEL for label in labels)


_MAX_LABEL = 63
_MAX_HOST_NAME = 253


def _ascii_host(url: httpx.URL) -> str:
    return url.raw_host.decode("ascii")  # IDNA-encoded, IPv6 without brackets


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


async def _read_capped(response: httpx.Response, max_bytes: int, url: httpx.URL) -> bytes:
    too_large = PayloadTooLarge(
        f"the document at {url} is larger than {max_bytes} bytes", limit_bytes=max_bytes
    )
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise too_large
    return bytes(body)


def _filename(url: httpx.URL) -> str:
    for candidate in (url.path.rsplit("/", 1)[-1], url.host):
        name = _UNFIT_FOR_FILENAME.sub("_", candidate).strip("._")[:_MAX_FILENAME]
        if name:
            return name
    return "document"
