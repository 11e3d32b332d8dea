"""A scriptable OpenAI-compatible HTTP server for tests.

The `openai` and `groq` SDKs are exercised through their real HTTP stacks: openai 3.x ships its
own transport, so request-mocking libraries never see its traffic. `FakeLLM` is therefore a real
server on 127.0.0.1, a plain ASGI callable served by uvicorn in a daemon thread with an event loop
of its own. It keeps answering while the test's loop is busy, and a separate server process under
test can reach it as easily as an in-process client.

Endpoints, each also under Groq's prefix `/openai/v1/...` (the groq SDK appends `/openai/v1` to
its base URL, the openai SDK is given `.../v1`):

* `POST /v1/chat/completions` plays the next scripted behaviour, streamed (SSE) or not;
* `GET /v1/models` lists the configured model ids;
* `POST /v1/embeddings` returns deterministic unit vectors (see `fake_embedding`).

Scripting: `script(...)` queues behaviours, consumed one per chat-completions request in FIFO
order; once the queue is empty every request gets the default behaviour (`Reply()` unless set).
Behaviours are `Reply`, `HttpError`, `MalformedChunk`, `BreakMidway` and `Hang`.

Recording: every request (path, headers, parsed JSON body) lands in `requests`; every chat
completion gets a `CompletionRecord` saying how many chunks were sent and how it ended, which
`wait_for_stream_end` waits for. All methods are thread-safe and called directly from the test.
The `wait_*` methods block the calling thread: from an async test that must keep its own loop
running meanwhile, call them through `asyncio.to_thread`.

    with FakeLLM.running() as fake:
        fake.script(Reply.from_chunks(["Hel", "lo"], chunk_delay=0.05))
        client = openai.AsyncOpenAI(base_url=fake.openai_base_url, api_key="k")
"""

from __future__ import annotations

import abc
import asyncio
import base64
import contextlib
import dataclasses
import enum
import hashlib
import itertools
import json
import logging
import math
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import uvicorn

DEFAULT_TEXT = "fake answer"
DEFAULT_MODELS = ("fake-model",)
HOST = "127.0.0.1"
GROQ_PREFIX = "/openai"

Scope: TypeAlias = MutableMapping[str, Any]
Message: TypeAlias = MutableMapping[str, Any]
Receive: TypeAlias = Callable[[], Awaitable[Message]]
Send: TypeAlias = Callable[[Message], Awaitable[None]]

# How often long waits look up from waiting to notice that the fake is stopping.
_POLL_S = 0.05
_STARTUP_TIMEOUT_S = 10.0
_SHUTDOWN_TIMEOUT_S = 10.0


# --- Behaviours --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """A successful answer.

    Streamed, `text` is sent in `chunks` when given, else in pieces of `chunk_size` characters;
    one `chat.completion.chunk` per piece, then a chunk carrying `finish_reason`, then (when the
    request asked for `stream_options.include_usage`) a chunk with `choices: []` and `usage`,
    then `data: [DONE]`. Requests under Groq's prefix also get the usage in `x_groq.usage` of
    the finishing chunk, where Groq reports it. `first_token_delay` is waited before the first
    piece, `chunk_delay` between pieces. Not streamed, the whole text is sent after
    `first_token_delay`. `completion_tokens` defaults to the number of pieces.
    """

    text: str = DEFAULT_TEXT
    chunk_size: int = 4
    chunks: tuple[str, ...] | None = None
    first_token_delay: float = 0.0
    chunk_delay: float = 0.0
    prompt_tokens: int = 10
    completion_tokens: int | None = None
    finish_reason: str = "stop"

    def __post_init__(self) -> None:
        if self.chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        if self.chunks is not None and "".join(self.chunks) != self.text:
            raise ValueError("chunks must join to text; use Reply.from_chunks")

    @classmethod
    def from_chunks(cls, chunks: Sequence[str], **options: Any) -> Reply:
        """A reply streamed in exactly these chunks (its text is their concatenation)."""
        return cls(text="".join(chunks), chunks=tuple(chunks), **options)

    @property
    def pieces(self) -> tuple[str, ...]:
        """The chunks' contents, in the order they are streamed."""
        if self.chunks is not None:
            return self.chunks
        size = self.chunk_size
        return tuple(self.text[start : start + size] for start in range(0, len(self.text), size))

    def usage(self) -> dict[str, int]:
        completion = len(self.pieces) if self.completion_tokens is None else self.completion_tokens
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": self.prompt_tokens + completion,
        }


@dataclass(frozen=True)
class HttpError:
    """An error response with an OpenAI-style body `{"error": {"message", "type", "code"}}`.

    `retry_after` (seconds) becomes a `retry-after` header. The class methods build the errors
    providers actually send.
    """

    status: int
    message: str = "fake error"
    type: str = "server_error"
    code: str | None = None
    retry_after: float | None = None

    @classmethod
    def bad_request(cls, message: str = "Invalid request.") -> HttpError:
        return cls(400, message, "invalid_request_error")

    @classmethod
    def unauthorized(cls, message: str = "Incorrect API key provided.") -> HttpError:
        return cls(401, message, "invalid_request_error", "invalid_api_key")

    @classmethod
    def rate_limited(cls, retry_after: float = 1.0) -> HttpError:
        return cls(429, "Rate limit reached.", "requests", "rate_limit_exceeded", retry_after)

    @classmethod
    def server_error(cls, message: str = "The server had an error.") -> HttpError:
        return cls(500, message, "server_error")

    @classmethod
    def unavailable(cls, message: str = "The engine is currently overloaded.") -> HttpError:
        return cls(503, message, "server_error")

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.type, "code": self.code}}

    def headers(self) -> list[tuple[str, str]]:
        if self.retry_after is None:
            return []
        return [("retry-after", f"{self.retry_after:g}")]


@dataclass(frozen=True)
class MalformedChunk:
    """A stream whose `data:` line number `after_chunks` (counting from 0) is `data`, not JSON.

    The good chunks of `reply` around it are sent as usual. Not streamed, the whole response body
    is `data`, labelled as JSON.
    """

    reply: Reply = Reply()
    after_chunks: int = 1
    data: str = "{this is not json"


@dataclass(frozen=True)
class BreakMidway:
    """A stream cut off after `after_chunks` chunks of `reply`: no finishing chunk, no [DONE].

    The connection is aborted (uvicorn closes it when the app raises after the response has
    started), so the client sees a broken transfer, not a clean end. Not streamed, half of the
    announced body is sent before the abort.
    """

    reply: Reply = Reply()
    after_chunks: int = 1


@dataclass(frozen=True)
class Hang:
    """Accept the request and never answer, until the client gives up or the fake stops."""


Behaviour: TypeAlias = Reply | HttpError | MalformedChunk | BreakMidway | Hang


# --- Records -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedRequest:
    """A request as the fake received it; header names are lower-case."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: Any
    received_at: float = 0.0  # time.monotonic() when the body had arrived (benchmarks)

    @property
    def authorization(self) -> str | None:
        return self.headers.get("authorization")

    @property
    def model(self) -> str | None:
        model = self.body.get("model") if isinstance(self.body, dict) else None
        return model if isinstance(model, str) else None

    @property
    def messages(self) -> list[dict[str, Any]]:
        messages = self.body.get("messages") if isinstance(self.body, dict) else None
        return messages if isinstance(messages, list) else []


class Outcome(enum.Enum):
    """How a chat completion's response ended."""

    COMPLETED = "completed"  # the whole response was sent ([DONE] included when streamed)
    ERROR = "error"  # an HttpError was sent
    DISCONNECTED = "disconnected"  # the client went away before the end
    BROKEN = "broken"  # the fake aborted the connection on purpose (BreakMidway)
    STOPPED = "stopped"  # the fake was shut down while the response was in progress


@dataclass(frozen=True)
class CompletionRecord:
    """One chat completion: what was played, and (once `ended`) how far it got.

    `chunks_scripted` and `chunks_sent` count content chunks only (not the finishing chunk,
    the usage chunk or [DONE]); a non-streamed reply counts as one chunk.
    """

    request: RecordedRequest
    behaviour: Behaviour
    stream: bool
    chunks_scripted: int
    chunks_sent: int = 0
    outcome: Outcome | None = None
    first_chunk_at: float | None = None  # time.monotonic() once the first chunk was sent

    @property
    def ended(self) -> bool:
        return self.outcome is not None


# --- Embeddings --------------------------------------------------------------------------------


def fake_embedding(text: str, dimensions: int) -> list[float]:
    """A unit vector derived from SHA-256 of `text`: the same text always gets the same vector,
    different texts almost surely different ones."""
    values: list[float] = []
    for counter in itertools.count():
        if len(values) >= dimensions:
            break
        digest = hashlib.sha256(f"{counter}:{text}".encode()).digest()
        values.extend(byte / 127.5 - 1.0 for byte in digest)
    values = values[:dimensions]
    norm = math.sqrt(sum(value * value for value in values)) or 1.0
    return [value / norm for value in values]


def _embedding_inputs(raw: Any) -> list[str] | None:
    """The texts to embed: a string or a list (token lists are embedded by their JSON)."""
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list) and raw:
        return [item if isinstance(item, str) else json.dumps(item) for item in raw]
    return None


def _encode_embedding(vector: list[float], encoding_format: Any) -> list[float] | str:
    if encoding_format == "base64":
        return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")
    return vector


# --- The server --------------------------------------------------------------------------------


class _DeliberateBreak(Exception):
    """Raised inside the app to make uvicorn abort a connection (see BreakMidway)."""


class _HideDeliberateBreaks(logging.Filter):
    """Keeps uvicorn from logging the planned aborts as application errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], _DeliberateBreak))


_HIDE_DELIBERATE_BREAKS = _HideDeliberateBreaks()


class FakeLLM:
    """An OpenAI-compatible server on 127.0.0.1 whose chat completions the test scripts.

    Build it with `FakeLLM.running(...)` (a context manager), or `start()` / `stop()`.
    `models` are the ids `/v1/models` lists, `embedding_dimensions` the default vector size
    (a request's `dimensions` overrides it), `api_key` when set is required as a bearer token on
    every endpoint (401 otherwise), and `default` answers chat completions once the script is
    exhausted.
    """

    def __init__(
        self,
        *,
        models: Sequence[str] = DEFAULT_MODELS,
        embedding_dimensions: int = 8,
        api_key: str | None = None,
        default: Behaviour | None = None,
    ) -> None:
        self.models = tuple(models)
        self.embedding_dimensions = embedding_dimensions
        self.api_key = api_key
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._queue: deque[Behaviour] = deque()
        self._default: Behaviour = default if default is not None else Reply()
        self._requests: list[RecordedRequest] = []
        # Keyed by a handle that outlives reset(), so responses in flight cannot touch the
        # records of later requests.
        self._completions: dict[int, CompletionRecord] = {}
        self._handles = itertools.count()
        self._stopping = threading.Event()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._thread_error: BaseException | None = None
        self._port: int | None = None
        self._app = _OpenAICompatibleApp(self)

    # Lifecycle

    @classmethod
    @contextlib.contextmanager
    def running(cls, **options: Any) -> Iterator[FakeLLM]:
        """A started fake (options as for the constructor), stopped on exit."""
        fake = cls(**options)
        fake.start()
        try:
            yield fake
        finally:
            fake.stop()

    def __enter__(self) -> FakeLLM:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        """Serve on a free port; returns once the port accepts connections."""
        if self._thread is not None:
            raise RuntimeError("FakeLLM is already running")
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Binding here rather than passing port=0 to uvicorn gives the port before startup.
        listener.bind((HOST, 0))
        self._port = listener.getsockname()[1]
        config = uvicorn.Config(
            self._app,
            host=HOST,
            port=self._port,
            log_level="warning",
            # None leaves the test process's logging configuration alone.
            log_config=None,
            lifespan="off",
            loop="asyncio",
            timeout_graceful_shutdown=5,
        )
        logging.getLogger("uvicorn.error").addFilter(_HIDE_DELIBERATE_BREAKS)
        self._stopping.clear()
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._serve, args=(self._server, listener), name="fake-llm", daemon=True
        )
        self._thread.start()
        self._wait_until_accepting()

    def stop(self) -> None:
        """Shut uvicorn down, ending hanging and in-progress responses first."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._stopping.set()
        server.should_exit = True
        thread.join(_SHUTDOWN_TIMEOUT_S)
        if thread.is_alive():
            server.force_exit = True
            thread.join(_SHUTDOWN_TIMEOUT_S)
        self._server = self._thread = None

    def _serve(self, server: uvicorn.Server, listener: socket.socket) -> None:
        try:
            server.run(sockets=[listener])
        except BaseException as exc:  # reported by start() instead of dying silently
            self._thread_error = exc
        finally:
            listener.close()

    def _wait_until_accepting(self) -> None:
        deadline = time.monotonic() + _STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._thread is None or not self._thread.is_alive():
                self.stop()
                raise RuntimeError(f"FakeLLM failed to start: {self._thread_error!r}")
            if self._server is not None and self._server.started and self._accepts_connections():
                return
            time.sleep(0.01)
        self.stop()
        raise RuntimeError(f"FakeLLM did not accept connections within {_STARTUP_TIMEOUT_S}s")

    def _accepts_connections(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=1.0):
                return True
        except OSError:
            return False

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeLLM has not been started")
        return self._port

    @property
    def base_url(self) -> str:
        """The root URL, e.g. for `groq.AsyncGroq(base_url=...)`."""
        return f"http://{HOST}:{self.port}"

    @property
    def openai_base_url(self) -> str:
        """The root URL plus `/v1`, for `openai.AsyncOpenAI(base_url=...)`."""
        return f"{self.base_url}/v1"

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    # Scripting

    def script(self, *behaviours: Behaviour) -> None:
        """Queue behaviours for the next chat-completions requests, in order."""
        with self._lock:
            self._queue.extend(behaviours)

    def set_default(self, behaviour: Behaviour) -> None:
        """What chat completions get once the queue is empty."""
        with self._lock:
            self._default = behaviour

    @property
    def pending(self) -> int:
        """How many scripted behaviours are not yet consumed."""
        with self._lock:
            return len(self._queue)

    def reset(self) -> None:
        """Forget the script and the records (the default behaviour stays)."""
        with self._lock:
            self._queue.clear()
            self._requests.clear()
            self._completions.clear()

    def _next_behaviour(self) -> Behaviour:
        with self._lock:
            return self._queue.popleft() if self._queue else self._default

    # Records

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, in order of arrival."""
        with self._lock:
            return list(self._requests)

    @property
    def completions(self) -> list[CompletionRecord]:
        """Every chat completion played, in order of arrival."""
        with self._lock:
            return list(self._completions.values())

    @property
    def streams(self) -> list[CompletionRecord]:
        """The streamed chat completions, in order of arrival."""
        return [record for record in self.completions if record.stream]

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> list[RecordedRequest]:
        """Block until `count` requests have arrived; returns them all."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._requests) >= count, timeout):
                raise TimeoutError(f"{len(self._requests)} of {count} requests arrived")
            return list(self._requests)

    def wait_for_stream_end(self, timeout: float = 5.0, index: int = 0) -> CompletionRecord:
        """Block until the `index`-th streamed chat completion (by arrival) has ended."""
        return self._wait_for_end(timeout, index, stream_only=True)

    def wait_for_completion_end(self, timeout: float = 5.0, index: int = 0) -> CompletionRecord:
        """Block until the `index`-th chat completion, streamed or not, has ended."""
        return self._wait_for_end(timeout, index, stream_only=False)

    def _wait_for_end(self, timeout: float, index: int, *, stream_only: bool) -> CompletionRecord:
        def ended() -> CompletionRecord | None:
            records = [r for r in self._completions.values() if r.stream or not stream_only]
            if -len(records) <= index < len(records) and records[index].ended:
                return records[index]
            return None

        with self._changed:
            record = self._changed.wait_for(ended, timeout)
        if record is None:
            raise TimeoutError(f"chat completion {index} did not end within {timeout}s")
        return record

    def _record_request(self, request: RecordedRequest) -> None:
        with self._changed:
            self._requests.append(request)
            self._changed.notify_all()

    def _open_completion(self, record: CompletionRecord) -> int:
        """Record a chat completion that is starting; returns its handle for updates."""
        with self._changed:
            handle = next(self._handles)
            self._completions[handle] = record
            self._changed.notify_all()
            return handle

    def _update_completion(self, handle: int, **changes: Any) -> None:
        with self._changed:
            record = self._completions.get(handle)
            if record is not None:
                self._completions[handle] = dataclasses.replace(record, **changes)
                self._changed.notify_all()


class _ClientWatch:
    """Watches `receive()` for `http.disconnect` while a response is being produced.

    uvicorn silently drops what is sent after the client left, so only this watch tells that
    nobody is listening any more.
    """

    def __init__(self, receive: Receive, fake: FakeLLM) -> None:
        self._receive = receive
        self._fake = fake
        self._gone = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> _ClientWatch:
        self._task = asyncio.create_task(self._watch())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _watch(self) -> None:
        while (await self._receive())["type"] != "http.disconnect":
            pass
        self._gone.set()

    @property
    def client_gone(self) -> bool:
        return self._gone.is_set()

    @property
    def interrupted(self) -> bool:
        return self.client_gone or self._fake.stopping

    def interruption(self) -> Outcome:
        return Outcome.DISCONNECTED if self.client_gone else Outcome.STOPPED

    async def pause(self, seconds: float) -> bool:
        """Wait `seconds` unless the client leaves or the fake stops; True if waited in full."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        # Yield even for a zero pause, so a disconnect between back-to-back chunks is noticed.
        await asyncio.sleep(0)
        while not self.interrupted:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._gone.wait(), min(remaining, _POLL_S))
        return False


class _OpenAICompatibleApp:
    """The ASGI application: routing, auth, and the playing of behaviours."""

    def __init__(self, fake: FakeLLM) -> None:
        self._fake = fake
        self._completion_ids = itertools.count(1)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = await self._read_request(scope, receive)
        self._fake._record_request(request)
        route = self._route(request.path)
        if route is None:
            await _send_error(send, HttpError(404, f"Unknown path {request.path}", "not_found"))
            return
        method, handler = route
        if request.method != method:
            await _send_error(send, HttpError(405, "Method not allowed", "invalid_request_error"))
            return
        if not self._authorised(request):
            await _send_error(send, HttpError.unauthorized())
            return
        if method == "POST" and not isinstance(request.body, dict):
            await _send_error(send, HttpError.bad_request("The body is not a JSON object."))
            return
        await handler(request, receive, send)

    @staticmethod
    async def _read_request(scope: Scope, receive: Receive) -> RecordedRequest:
        chunks: list[bytes] = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        raw = b"".join(chunks)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        headers: dict[str, str] = {}
        for name, value in scope["headers"]:
            key = name.decode("latin-1").lower()
            text = value.decode("latin-1")
            headers[key] = f"{headers[key]}, {text}" if key in headers else text
        return RecordedRequest(scope["method"], scope["path"], headers, body, time.monotonic())

    def _route(
        self, path: str
    ) -> tuple[str, Callable[[RecordedRequest, Receive, Send], Awaitable[None]]] | None:
        # Groq's SDK puts the OpenAI-compatible API under /openai.
        path = path.removeprefix(GROQ_PREFIX)
        routes = {
            "/v1/chat/completions": ("POST", self._chat_completions),
            "/v1/models": ("GET", self._models),
            "/v1/embeddings": ("POST", self._embeddings),
        }
        return routes.get(path.rstrip("/"))

    def _authorised(self, request: RecordedRequest) -> bool:
        return self._fake.api_key is None or request.authorization == f"Bearer {self._fake.api_key}"

    async def _models(self, request: RecordedRequest, receive: Receive, send: Send) -> None:
        data = [
            {"id": model, "object": "model", "created": 0, "owned_by": "fake-llm"}
            for model in self._fake.models
        ]
        await _send_json(send, 200, {"object": "list", "data": data})

    async def _embeddings(self, request: RecordedRequest, receive: Receive, send: Send) -> None:
        texts = _embedding_inputs(request.body.get("input"))
        if texts is None:
            await _send_error(send, HttpError.bad_request("input must be a string or a list."))
            return
        dimensions = request.body.get("dimensions") or self._fake.embedding_dimensions
        encoding_format = request.body.get("encoding_format")
        data = [
            {
                "object": "embedding",
                "index": index,
                "embedding": _encode_embedding(fake_embedding(text, dimensions), encoding_format),
            }
            for index, text in enumerate(texts)
        ]
        tokens = sum(len(text.split()) for text in texts)
        usage = {"prompt_tokens": tokens, "total_tokens": tokens}
        body = {"object": "list", "data": data, "model": request.model or "", "usage": usage}
        await _send_json(send, 200, body)

    async def _chat_completions(
        self, request: RecordedRequest, receive: Receive, send: Send
    ) -> None:
        behaviour = self._fake._next_behaviour()
        stream = request.body.get("stream") is True
        if isinstance(behaviour, HttpError):
            self._fake._open_completion(
                CompletionRecord(request, behaviour, stream, 0, outcome=Outcome.ERROR)
            )
            await _send_error(send, behaviour)
            return
        scripted = _scripted_chunks(behaviour, stream)
        handle = self._fake._open_completion(CompletionRecord(request, behaviour, stream, scripted))
        play = _StreamPlay if stream else _SinglePlay
        completion_id = f"chatcmpl-fake-{next(self._completion_ids)}"
        player = play(self._fake, handle, request, behaviour, completion_id)
        # Should playing fail unexpectedly, uvicorn aborts the connection: that is a break too.
        outcome = Outcome.BROKEN
        try:
            async with _ClientWatch(receive, self._fake) as watch:
                outcome = await player.play(watch, send)
        except asyncio.CancelledError:
            outcome = Outcome.STOPPED
            raise
        finally:
            self._fake._update_completion(handle, outcome=outcome)
        if outcome is Outcome.BROKEN:
            raise _DeliberateBreak


def _scripted_chunks(behaviour: Behaviour, stream: bool) -> int:
    """How many content chunks the behaviour would send if nothing interrupted it."""
    if isinstance(behaviour, Reply):
        return len(behaviour.pieces) if stream else 1
    if isinstance(behaviour, MalformedChunk | BreakMidway):
        return len(behaviour.reply.pieces) if stream else 1
    return 0


class _Play(abc.ABC):
    """Plays one behaviour as one chat-completions response; subclasses pick the framing."""

    def __init__(
        self,
        fake: FakeLLM,
        handle: int,
        request: RecordedRequest,
        behaviour: Behaviour,
        completion_id: str,
    ) -> None:
        self._fake = fake
        self._handle = handle
        self._behaviour = behaviour
        self._id = completion_id
        self._model = request.model or ""
        self._created = int(time.time())
        options = request.body.get("stream_options")
        self._include_usage = isinstance(options, dict) and options.get("include_usage") is True
        self._groq_style = request.path.startswith(GROQ_PREFIX + "/")

    async def play(self, watch: _ClientWatch, send: Send) -> Outcome:
        behaviour = self._behaviour
        if isinstance(behaviour, Hang):
            await watch.pause(math.inf)
            if not watch.client_gone:
                await _send_error(send, HttpError.unavailable("The fake LLM is shutting down."))
            return watch.interruption()
        if isinstance(behaviour, Reply):
            return await self.reply(watch, send, behaviour)
        if isinstance(behaviour, MalformedChunk):
            return await self.malformed(watch, send, behaviour)
        if isinstance(behaviour, BreakMidway):
            return await self.break_midway(watch, send, behaviour)
        raise TypeError(f"cannot play {behaviour!r}")

    @abc.abstractmethod
    async def reply(self, watch: _ClientWatch, send: Send, reply: Reply) -> Outcome: ...

    @abc.abstractmethod
    async def malformed(
        self, watch: _ClientWatch, send: Send, script: MalformedChunk
    ) -> Outcome: ...

    @abc.abstractmethod
    async def break_midway(
        self, watch: _ClientWatch, send: Send, script: BreakMidway
    ) -> Outcome: ...

    def _count_chunks(self, sent: int) -> None:
        if sent == 1:
            self._fake._update_completion(
                self._handle, chunks_sent=sent, first_chunk_at=time.monotonic()
            )
        else:
            self._fake._update_completion(self._handle, chunks_sent=sent)


class _SinglePlay(_Play):
    """A `chat.completion` JSON response (the request did not ask for a stream)."""

    async def reply(self, watch: _ClientWatch, send: Send, reply: Reply) -> Outcome:
        if not await watch.pause(reply.first_token_delay):
            return watch.interruption()
        await _send_json(send, 200, self._completion(reply))
        self._count_chunks(1)
        return Outcome.COMPLETED

    async def malformed(self, watch: _ClientWatch, send: Send, script: MalformedChunk) -> Outcome:
        if not await watch.pause(script.reply.first_token_delay):
            return watch.interruption()
        await _send_body(send, 200, script.data.encode(), "application/json")
        self._count_chunks(1)
        return Outcome.COMPLETED

    async def break_midway(self, watch: _ClientWatch, send: Send, script: BreakMidway) -> Outcome:
        if not await watch.pause(script.reply.first_token_delay):
            return watch.interruption()
        body = json.dumps(self._completion(script.reply)).encode()
        headers = [("content-type", "application/json"), ("content-length", str(len(body)))]
        await _start(send, 200, headers)
        await send(
            {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
        )
        return Outcome.BROKEN

    def _completion(self, reply: Reply) -> dict[str, Any]:
        message = {"role": "assistant", "content": reply.text}
        choice = {"index": 0, "message": message, "finish_reason": reply.finish_reason}
        return {
            "id": self._id,
            "object": "chat.completion",
            "created": self._created,
            "model": self._model,
            "choices": [{**choice, "logprobs": None}],
            "usage": reply.usage(),
        }


class _StreamPlay(_Play):
    """Server-sent `chat.completion.chunk` events ending with `data: [DONE]`."""

    async def reply(self, watch: _ClientWatch, send: Send, reply: Reply) -> Outcome:
        return await self._stream(watch, send, reply)

    async def malformed(self, watch: _ClientWatch, send: Send, script: MalformedChunk) -> Outcome:
        return await self._stream(watch, send, script.reply, bad_line_at=script.after_chunks)

    async def break_midway(self, watch: _ClientWatch, send: Send, script: BreakMidway) -> Outcome:
        return await self._stream(watch, send, script.reply, break_at=script.after_chunks)

    async def _stream(
        self,
        watch: _ClientWatch,
        send: Send,
        reply: Reply,
        *,
        bad_line_at: int | None = None,
        break_at: int | None = None,
    ) -> Outcome:
        await _start(
            send, 200, [("content-type", "text/event-stream"), ("cache-control", "no-cache")]
        )
        if not await watch.pause(reply.first_token_delay):
            return watch.interruption()
        pieces = reply.pieces
        for index, piece in enumerate(pieces):
            if index > 0 and not await watch.pause(reply.chunk_delay):
                return watch.interruption()
            if index == break_at:
                return Outcome.BROKEN
            if index == bad_line_at:
                await _send_event(send, self._malformed_data())
            delta = {"role": "assistant", "content": piece} if index == 0 else {"content": piece}
            await _send_event(send, self._chunk(delta))
            self._count_chunks(index + 1)
        if break_at is not None and break_at >= len(pieces):
            return Outcome.BROKEN
        if bad_line_at is not None and bad_line_at >= len(pieces):
            await _send_event(send, self._malformed_data())
        return await self._finish(watch, send, reply)

    async def _finish(self, watch: _ClientWatch, send: Send, reply: Reply) -> Outcome:
        await _send_event(send, self._finishing_chunk(reply))
        if self._include_usage:
            await _send_event(send, self._usage_chunk(reply))
        # After the response completes uvicorn reports every client as disconnected: decide now.
        if not await watch.pause(0):
            return watch.interruption()
        await send({"type": "http.response.body", "body": b"data: [DONE]\n\n", "more_body": False})
        return Outcome.COMPLETED

    def _malformed_data(self) -> str:
        assert isinstance(self._behaviour, MalformedChunk)
        return self._behaviour.data

    def _envelope(self) -> dict[str, Any]:
        return {
            "id": self._id,
            "object": "chat.completion.chunk",
            "created": self._created,
            "model": self._model,
        }

    def _chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> str:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        chunk = {**self._envelope(), "choices": [choice]}
        if self._include_usage:
            # OpenAI sends the key on every chunk, null until the final usage chunk.
            chunk["usage"] = None
        return json.dumps(chunk)

    def _finishing_chunk(self, reply: Reply) -> str:
        chunk = json.loads(self._chunk({}, reply.finish_reason))
        if self._groq_style:
            # Groq reports a stream's usage in its own extension field of the last chunk.
            chunk["x_groq"] = {"id": f"req_{self._id}", "usage": reply.usage()}
        return json.dumps(chunk)

    def _usage_chunk(self, reply: Reply) -> str:
        return json.dumps({**self._envelope(), "choices": [], "usage": reply.usage()})


# --- Sending helpers ---------------------------------------------------------------------------


async def _start(send: Send, status: int, headers: Sequence[tuple[str, str]]) -> None:
    encoded = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers]
    await send({"type": "http.response.start", "status": status, "headers": encoded})


async def _send_body(
    send: Send,
    status: int,
    body: bytes,
    content_type: str,
    extra_headers: Sequence[tuple[str, str]] = (),
) -> None:
    headers = [("content-type", content_type), ("content-length", str(len(body)))]
    await _start(send, status, [*headers, *extra_headers])
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _send_json(
    send: Send, status: int, payload: Any, extra_headers: Sequence[tuple[str, str]] = ()
) -> None:
    await _send_body(send, status, json.dumps(payload).encode(), "application/json", extra_headers)


async def _send_error(send: Send, error: HttpError) -> None:
    await _send_json(send, error.status, error.body(), error.headers())


async def _send_event(send: Send, data: str) -> None:
    await send(
        {"type": "http.response.body", "body": f"data: {data}\n\n".encode(), "more_body": True}
    )
