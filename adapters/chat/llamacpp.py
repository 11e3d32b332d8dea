"""A ChatModel that runs a GGUF model in process with llama.cpp (llama-cpp-python's `Llama`).

llama.cpp computes in C without giving the event loop back, so every generation runs in a
worker thread and hands its tokens to the loop one by one. A loaded model holds one context,
which one generation at a time may use: `concurrency` models are loaded (lazily, once each),
and a request waits at most `queue_timeout_s` for one of them before it fails with
UpstreamTimeout, so the provider router moves on to the next provider instead of queueing
behind a slow local model. A consumer that leaves (client disconnect, deadline, router
timeout) stops the generation before its next token; the prompt evaluation that precedes the
first token is one call into llama.cpp and runs to its end.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import threading
from collections.abc import AsyncGenerator, Callable, Iterator
from typing import Any

from askdocs.adapters.chat.chat_arguments import chat_arguments
from askdocs.application.errors import UpstreamTimeout, UpstreamUnavailable
from askdocs.application.ports import ChatRequest, Delta, StreamEvent
from askdocs.domain.answers import Completion
from askdocs.domain.prompts import citations_in

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True, slots=True)
class _Ended:
    """What the worker thread sends last when the generation ended without an error."""

    prompt_tokens: int
    completion_tokens: int
    stopped: bool


class LlamaCppChatModel:
    """A ChatModel over llama-cpp-python's `Llama.create_chat_completion`, which formats the
    messages with the GGUF's own chat template.

    Args:
        name: the provider's name in settings and in responses.
        load: builds one `Llama` (called in a worker thread, at the first request that finds
            no idle model; a failure is retried by the next request).
        model: the name answers report (the GGUF file's stem by default, in the wiring).
        max_tokens: cap on an answer's length (llama.cpp also cuts it to what is left of the
            context window after the prompt).
        concurrency: generations at once, each on its own loaded model.
        queue_timeout_s: how long a request waits for a free model before UpstreamTimeout.
    """

    def __init__(
        self,
        *,
        name: str,
        load: Callable[[], Any],
        model: str,
        max_tokens: int,
        concurrency: int = 1,
        queue_timeout_s: float = 5.0,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"provider {name} needs a concurrency of at least 1")
        self._name, self._load, self._model = name, load, model
        self._max_tokens = max_tokens
        self._queue_timeout_s = queue_timeout_s
        self._free = asyncio.Semaphore(concurrency)
        self._idle: list[Any] = []

    @property
    def name(self) -> str:
        return self._name

    @property
    def models(self) -> tuple[str, ...]:
        return (self._model,)

    @property
    def takes_sampling(self) -> bool:
        return True

    async def complete(self, request: ChatRequest) -> Completion:
        events = self.stream(request)
        try:
            async for event in events:
                if isinstance(event, Completion):
                    return event
        finally:
            await events.aclose()
        raise UpstreamUnavailable(f"{self._name} ended without an answer")  # pragma: no cover

    async def stream(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
        llama = await self._take()
        loop = asyncio.get_running_loop()
        events: asyncio.Queue[str | _Ended | BaseException] = asyncio.Queue()
        stop = threading.Event()

        def emit(item: str | _Ended | BaseException) -> None:
            try:
                loop.call_soon_threadsafe(events.put_nowait, item)
            except RuntimeError:  # the loop has closed: nobody is listening any more
                stop.set()

        arguments = chat_arguments(request, max_tokens=self._max_tokens)
        worker = loop.run_in_executor(None, _generate, llama, arguments, stop, emit)
        # The model goes back to the pool when the thread is done with it, not when the
        # consumer leaves: a stopped generation may still be inside one llama.cpp call.
        worker.add_done_callback(lambda _: self._give_back(llama))
        parts: list[str] = []
        try:
            while not isinstance(item := await events.get(), _Ended):
                if isinstance(item, BaseException):
                    raise _translated(item, self._name) from item
                parts.append(item)
                yield Delta(item)
        finally:
            stop.set()
        text = "".join(parts)
        yield Completion(
            text=text,
            cited=citations_in(text),
            model=request.model or self._model,
            provider=self._name,
            prompt_tokens=item.prompt_tokens,
            completion_tokens=item.completion_tokens,
        )

    async def _take(self) -> Any:
        """An idle model (loading one if none is), within the queue timeout."""
        try:
            async with asyncio.timeout(self._queue_timeout_s):
                await self._free.acquire()
        except TimeoutError as exc:
            raise UpstreamTimeout(
                f"{self._name} was busy for {self._queue_timeout_s:g} s: every loaded model "
                "is generating"
            ) from exc
        if self._idle:
            return self._idle.pop()
        try:
            return await asyncio.to_thread(self._load)
        except Exception as exc:
            self._free.release()
            raise UpstreamUnavailable(f"{self._name} could not load its model: {exc}") from exc
        except BaseException:
            self._free.release()
            raise

    def _give_back(self, llama: Any) -> None:
        self._idle.append(llama)
        self._free.release()


def _generate(
    llama: Any,
    arguments: dict[str, Any],
    stop: threading.Event,
    emit: Callable[[str | _Ended | BaseException], None],
) -> None:
    """In a worker thread: each token's text to `emit`, then _Ended (or the error)."""
    produced = 0
    try:
        with _closing(llama.create_chat_completion(**arguments, stream=True)) as chunks:
            for chunk in chunks:
                # Checked between tokens: leaving the loop here skips computing the next one.
                if stop.is_set():
                    break
                text = _text(chunk)
                if text:
                    produced += 1
                    emit(text)
        # llama.cpp reports no usage in a stream; its context holds prompt and answer.
        prompt_tokens = max(0, int(getattr(llama, "n_tokens", 0) or 0) - produced)
        if stop.is_set():
            log.info("llama.cpp generation stopped after %d tokens: its reader left", produced)
        emit(_Ended(prompt_tokens, produced, stop.is_set()))
    except Exception as exc:  # noqa: BLE001 - handed to the reader, who translates it
        emit(exc)


@contextlib.contextmanager
def _closing(chunks: Iterator[Any]) -> Iterator[Iterator[Any]]:
    try:
        yield chunks
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def _text(chunk: Any) -> str | None:
    choices = chunk.get("choices") or ()
    if not choices:
        return None
    content = (choices[0].get("delta") or {}).get("content")
    return content if isinstance(content, str) else None


def _translated(error: BaseException, provider: str) -> Exception:
    """llama-cpp-python raises ValueError for a prompt longer than the context window and
    RuntimeError from llama.cpp itself; another provider (a larger window) may answer both."""
    if isinstance(error, ValueError) and "exceed context window" in str(error):
        return UpstreamUnavailable(f"{provider}: the prompt does not fit its context ({error})")
    return UpstreamUnavailable(f"{provider} failed ({type(error).__name__}: {error})")


def gguf_loader(path: str, *, context_tokens: int, threads: int) -> Callable[[], Any]:
    """Loads the GGUF file at `path` with a `context_tokens` window (`threads`: 0 leaves
    llama.cpp's default); llama_cpp is imported at the first call."""

    def load() -> Any:
        from llama_cpp import Llama

        return Llama(
            model_path=path, n_ctx=context_tokens, n_threads=threads or None, verbose=False
        )

    return load
