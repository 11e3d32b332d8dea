"""A stand-in for llama-cpp-python's `Llama`, for tests that run without the package.

It answers `create_chat_completion(messages, stream=True, ...)` with the same chunk dicts
llama-cpp-python yields (a role chunk, one chunk per token, a finish chunk), counts a prompt's
tokens as its words, and refuses a prompt over its window with llama-cpp-python's ValueError.
`allowance`, when given, is a semaphore each token waits on: the test decides how many tokens
may be computed, so it can tell whether a generation stopped without timing anything.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any

ANSWER = ("Parking ", "costs ", "forty ", "euros ", "[1].")


class FakeLlama:
    def __init__(
        self,
        words: Sequence[str] = ANSWER,
        *,
        context_tokens: int = 4096,
        allowance: threading.Semaphore | None = None,
    ) -> None:
        self.words = tuple(words)
        self.context_tokens = context_tokens
        self.allowance = allowance
        self.produced = 0
        self.n_tokens = 0
        self.finished = threading.Event()
        self.arguments: list[dict[str, Any]] = []

    def create_chat_completion(
        self, messages: list[dict[str, str]], *, stream: bool, **arguments: Any
    ) -> Iterator[dict[str, Any]]:
        assert stream, "askdocs streams every generation"
        self.arguments.append(arguments)
        return self._chunks(sum(len(m["content"].split()) for m in messages), arguments)

    def _chunks(self, prompt: int, arguments: dict[str, Any]) -> Iterator[dict[str, Any]]:
        self.finished.clear()
        try:
            if prompt >= self.context_tokens:
                raise ValueError(
                    f"Requested tokens ({prompt}) exceed context window of {self.context_tokens}"
                )
            yield {"choices": [{"index": 0, "delta": {"role": "assistant"}}]}
            for n in range(arguments["max_tokens"]):
                if n == len(self.words):
                    break
                if self.allowance is not None:
                    self.allowance.acquire()
                self.produced += 1
                self.n_tokens = prompt + n + 1
                yield {"choices": [{"index": 0, "delta": {"content": self.words[n]}}]}
            yield {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        finally:
            self.finished.set()
