"""HttpxUrlFetcher against real local servers that would answer: what it refuses, and how.

Each refused URL points at a server that is listening and would answer; the server's record
of requests proves the refusal came before any connection. Host names the tests make up
(`docs.example.test`) resolve through an injected resolver only, so a fetch that reaches the
server proves the connection went to the address that was checked, not to a second lookup.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from askdocs.adapters.fetching.address_policy import IPAddress
from askdocs.adapters.fetching.httpx_fetcher import HttpxUrlFetcher
from askdocs.application.errors import ForbiddenDestination, InvalidInput, PayloadTooLarge
from tests.support.settings_wiring import from_settings

BODY = b"The quick brown fox reads the manual.\n"
LIMIT = 64 * 1024
LOOPBACK_ONLY = ("127.0.0.1/32",)


class Handler(BaseHTTPRequestHandler):
    """Routes: any path serves BODY, except /redirect?to=URL, /loop, /status/<code>,
    /declared-huge (a huge Content-Length, then silence), /endless and /drip."""

    server: RecordingServer

    def do_GET(self) -> None:
        self.server.seen.append((self.path, self.headers.get("Host")))
        url = urlsplit(self.path)
        if url.path == "/redirect":
            self._head(302, Location=parse_qs(url.query)["to"][0])
        elif url.path == "/loop":
            self._head(302, Location="/loop")
        elif url.path.startswith("/status/"):
            self._head(int(url.path.rsplit("/", 1)[1]))
        elif url.path == "/declared-huge":
            self._head(200, **{"Content-Length": str(10**9)})
            self.server.stopping.wait()
        elif url.path in ("/endless", "/drip"):
            self._head(200)
            self._stream(b"x" * 65536 if url.path == "/endless" else b"x", url.path == "/drip")
        else:
            self._head(200, **{"Content-Type": "text/plain", "Content-Length": str(len(BODY))})
            self.wfile.write(BODY)

    def _head(self, status: int, **headers: str) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def _stream(self, chunk: bytes, slowly: bool) -> None:
        with contextlib.suppress(OSError):  # the client hung up: the point of these routes
            while not self.server.stopping.is_set():
                self.wfile.write(chunk)
                self.wfile.flush()
                if slowly:
                    self.server.stopping.wait(0.1)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class RecordingServer(ThreadingHTTPServer):
    """An HTTP server in a thread that records (path, Host header) of every request."""

    daemon_threads = True

    def __init__(self, host: str) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, 0), Handler)
        self.seen: list[tuple[str, str | None]] = []
        self.stopping = threading.Event()

    @property
    def port(self) -> int:
        return int(self.server_address[1])


@contextlib.contextmanager
def running(server: RecordingServer) -> Iterator[RecordingServer]:
    """`server` serving in a thread until the block ends."""
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()


class FakeResolver:
    """Answers from a table; a name not in it does not resolve."""

    def __init__(self, table: Mapping[str, Sequence[str]]) -> None:
        self.table = table

    async def __call__(self, host: str) -> list[IPAddress]:
        if host not in self.table:
            raise OSError(f"{host}: name or service not known")
        return [ipaddress.ip_address(a) for a in self.table[host]]


MakeFetcher = Callable[..., HttpxUrlFetcher]


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    with running(RecordingServer("127.0.0.1")) as started:
        yield started


@pytest.fixture
def other_server() -> Iterator[RecordingServer]:
    with running(RecordingServer("127.0.0.1")) as started:
        yield started


@pytest.fixture
def v6_server() -> Iterator[RecordingServer]:
    try:
        server = RecordingServer("::1")
    except OSError:
        pytest.skip("no IPv6 loopback here")
    with running(server) as started:
        yield started


@pytest.fixture
async def make_fetcher() -> AsyncIterator[MakeFetcher]:
    made: list[HttpxUrlFetcher] = []

    def make(**options: Any) -> HttpxUrlFetcher:
        knobs = {"max_bytes": LIMIT, "timeout_s": 5.0, **options}
        made.append(from_settings(HttpxUrlFetcher, **knobs))
        return made[-1]

    yield make
    for fetcher in made:
        await fetcher.aclose()


async def refusal(fetch: Awaitable[object]) -> tuple[BaseException, float]:
    """The error `fetch` raised and the seconds it took."""
    started = time.monotonic()
    with pytest.raises(InvalidInput) as raised:
        await fetch
    return raised.value, time.monotonic() - started


# --- Success ----------------------------------------------------------------------------------


async def test_an_allowlisted_address_is_fetched_with_its_bytes_final_url_and_a_name(
    server: RecordingServer, make_fetcher: MakeFetcher
) -> None:
    url = f"http://127.0.0.1:{server.port}/files/report%20v2.txt?rev=3#top"

    document = await make_fetcher(allow=LOOPBACK_ONLY).fetch(url)

    assert document.data == BODY
    assert document.url == f"http://127.0.0.1:{server.port}/files/report%20v2.txt?rev=3"
    assert document.content_type == "text/plain"
    assert document.filename == "report_v2.txt"


async def test_the_connection_goes_to_the_checked_ip_with_the_name_in_the_host_header(
    server: RecordingServer, make_fetcher: MakeFetcher
) -> None:
    # docs.example.test exists in no DNS: only the checked answer can have reached the server.
    fetcher = make_fetcher(
        allow=LOOPBACK_ONLY, resolve=FakeResolver({"docs.example.test": ["127.0.0.1"]})
    )

    document = await fetcher.fetch(f"http://docs.example.test:{server.port}/")

    assert server.seen == [("/", f"docs.example.test:{server.port}")]
    assert document.url == f"http://docs.example.test:{server.port}/"
    assert document.filename == "docs.example.test"


async def test_redirects_are_followed_across_servers_to_the_final_url(
    server: RecordingServer, other_server: RecordingServer, make_fetcher: MakeFetcher
) -> None:
    final = f"http://127.0.0.1:{other_server.port}/guide.md"
    hop = f"http://127.0.0.1:{other_server.port}/redirect?to=/guide.md"

    document = await make_fetcher(allow=LOOPBACK_ONLY).fetch(
        f"http://127.0.0.1:{server.port}/redirect?to={hop}"
    )

    assert (document.url, document.data, document.filename) == (final, BODY, "guide.md")
    assert [path for path, _ in other_server.seen] == ["/redirect?to=/guide.md", "/guide.md"]


# --- Refused destinations ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]", "127.1", "2130706433", "0x7f.1"],
)
async def test_loopback_in_any_spelling_is_refused_and_never_reached(
    host: str, server: RecordingServer, make_fetcher: MakeFetcher
) -> None:
    error, _ = await refusal(make_fetcher().fetch(f"http://{host}:{server.port}/doc.txt"))

    assert isinstance(error, ForbiddenDestination)
    assert server.seen == []


async def test_ipv6_loopback_is_refused_and_never_reached(
    v6_server: RecordingServer, make_fetcher: MakeFetcher
) -> None:
    error, _ = await refusal(make_fetcher().fetch(f"http://[::1]:{v6_server.port}/doc.txt"))

    assert isinstance(error, ForbiddenDestination)
    assert v6_server.seen == []


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://100.100.100.200/latest/meta-data/",
        "https://192.168.0.1:8443/admin",
    ],
)
async def test_internal_addresses_are_refused_before_any_connection_is_tried(
    url: str, make_fetcher: MakeFetcher
) -> None:
    error, seconds = await refusal(make_fetcher(resolve=FakeResolver({})).fetch(url))

    assert isinstance(error, ForbiddenDestination)
    assert seconds < 0.5  # a connection attempt to these would wait for the 5 s timeout


async def test_a_redirect_from_an_allowed_name_to_a_name_that_is_not_is_refused(
    server: RecordingServer, other_server: RecordingServer, make_fetcher: MakeFetcher
) -> None:
    # Both names lead to 127.0.0.1; only the first is allowed, by name. Had the redirect not
    # been judged again, the second server would have been reached.
    fetcher = make_fetcher(
        allow=("docs.example.test",),
        resolve=FakeResolver({"docs.example.test": ["127.0.0.1"], "localhost": ["127.0.0.1"]}),
    )
    target = f"http://localhost:{other_server.port}/doc.txt"

    error, _ = await refusal(
        fetcher.fetch(f"http://docs.example.test:{server.port}/redirect?to={target}")
    )

    assert isinstance(error, ForbiddenDestination)
    assert len(server.seen) == 1
    assert other_server.seen == []


async def test_a_redirect_to_the_metadata_service_is_refused(
    server: RecordingServer, make_fetcher: MakeFetcher
) -> None:
    target = "http://169.254.169.254/latest/meta-data/"

    error, _ = await refusal(
        make_fetcher(allow=LOOPBACK_ONLY).fetch(
            f"http://127.0.0.1:{server.port}/redirect?to={target}"
        )
    )

    assert isinstance(error, ForbiddenDestination)


# --- Refused URLs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://127.0.0.1:{port}/doc.txt",
        "gopher://127.0.0.1:{port}/_GET%20/doc.txt",
        "http://user:secret@127.0.0.1:{port}/doc.txt",
        "http://token@127.0.0.1:{port}/doc.txt",
        "127.0.0.1:{port}/doc.txt",
        "http:///doc.txt",
    ],
)
async def test_other_schemes_credentials_and_hostless_urls_are_refused(
    url: str, server: RecordingServer, make_fetcher: MakeFetcher
) -> None:
    error, _ = await refusal(make_fetcher(allow=LOOPBACK_ONLY).fetch(url.format(port=server.port)))

    assert not isinstance(error, ForbiddenDestination)
    assert server.seen == []


async def test_a_redirect_to_another_scheme_is_refused(
    server: RecordingServer, make_fetcher: MakeFetcher
) -> None:
    url = f"http://127.0.0.1:{server.port}/redirect?to=file:///etc/passwd"

    error, _ = await refusal(make_fetcher(allow=LOOPBACK_ONLY).fetch(url))

    assert "only http and https" in str(error)


async def test_more_redirects_than_allowed_is_invalid_input(
    server: RecordingServer, make_fetcher: MakeFetcher
) -> None:
    fetcher = make_fetcher(allow=LOOPBACK_ONLY, max_redirects=2)

    error, _ = await refusal(fetcher.fetch(f"http://127.0.0.1:{server.port}/loop"))

    assert "redirected more than 2 times" in str(error)
    assert len(server.seen) == 3


# --- Remote failures --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [404, 500])
async def test_a_remote_http_error_is_invalid_input_naming_the_status(
    status: int, server: RecordingServer, make_fetcher: MakeFetcher
) -> None:
    url = f"http://127.0.0.1:{server.port}/status/{status}"

    error, _ = await refusal(make_fetcher(allow=LOOPBACK_ONLY).fetch(url))

    assert f"answered HTTP {status}" in str(error)


async def test_a_closed_port_is_invalid_input(make_fetcher: MakeFetcher) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    error, _ = await refusal(make_fetcher(allow=LOOPBACK_ONLY).fetch(f"http://127.0.0.1:{port}/"))

    assert "could not be reached" in str(error)


async def test_a_name_that_does_not_resolve_is_invalid_input(make_fetcher: MakeFetcher) -> None:
    fetcher = make_fetcher(resolve=FakeResolver({}))

    error, _ = await refusal(fetcher.fetch("http://nowhere.example.test/doc.txt"))

    assert "could not be resolved" in str(error)


async def test_a_server_that_never_answers_times_out_within_the_budget(
    make_fetcher: MakeFetcher,
) -> None:
    with socket.socket() as silent:  # the kernel completes the handshake; nobody answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"

        error, seconds = await refusal(make_fetcher(allow=LOOPBACK_ONLY, timeout_s=0.3).fetch(url))

    assert "did not answer in time" in str(error)
    assert seconds < 1.5


async def test_a_server_that_drips_bytes_is_stopped_by_the_overall_deadline(
    server: RecordingServer, make_fetcher: MakeFetcher
) -> None:
    fetcher = make_fetcher(allow=LOOPBACK_ONLY, timeout_s=0.5, deadline_s=1.0)

    error, seconds = await refusal(fetcher.fetch(f"http://127.0.0.1:{server.port}/drip"))

    assert "did not answer in time" in str(error)
    assert 0.9 < seconds < 2.0


# --- Size limit -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/endless", "/declared-huge"])
async def test_a_body_over_the_limit_is_refused_without_reading_it_all(
    path: str, server: RecordingServer, make_fetcher: MakeFetcher
) -> None:
    # Neither body ends: reading it all would never finish, or end in a timeout instead.
    fetcher = make_fetcher(allow=LOOPBACK_ONLY)

    with pytest.raises(PayloadTooLarge) as refused:
        await fetcher.fetch(f"http://127.0.0.1:{server.port}{path}")

    assert refused.value.limit_bytes == LIMIT


# --- TLS --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for docs.example.test only: (cert, key)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=docs.example.test"),
            *("-addext", "subjectAltName=DNS:docs.example.test"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.mark.parametrize(("name", "verified"), [("docs.example.test", True), ("other.test", False)])
async def test_https_to_the_checked_ip_sends_the_name_as_sni_and_verifies_against_it(
    name: str, verified: bool, certificate: tuple[Path, Path], make_fetcher: MakeFetcher
) -> None:
    cert, key = certificate
    sni: list[str | None] = []
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    tls.sni_callback = lambda _socket, server_name, _context: sni.append(server_name)
    fetcher = make_fetcher(
        allow=LOOPBACK_ONLY,
        resolve=FakeResolver({name: ["127.0.0.1"]}),
        verify=ssl.create_default_context(cafile=cert),
    )

    server = RecordingServer("127.0.0.1")
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    with running(server):
        fetch = fetcher.fetch(f"https://{name}:{server.port}/doc.txt")
        if verified:
            assert (await fetch).data == BODY
        else:
            error, _ = await refusal(fetch)
            assert "certificate is not valid for 'other.test'" in str(error)

    assert sni[:1] == [name]
