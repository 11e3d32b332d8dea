"""AnswerDeadline: when a chat must have its answer, whichever providers are tried.

Each provider has its own timeout behind the router, so three slow ones could keep a chat
waiting three times as long, far past what a client waits. The deadline bounds the whole: the
model call gets what is left of it, counted from when the question arrived, and a call still
running then ends with UpstreamTimeout, which AskQuestion answers with its apology.

A stream need only have begun by then: once text is flowing the reader sees progress, and the
router's timeout between two tokens bounds each gap, so a long answer is not cut off mid-way.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncGenerator

from askdocs.application.errors import UpstreamTimeout
from askdocs.application.ports import ChatModel, ChatRequest, StreamEvent
from askdocs.domain.answers import Completion


@dataclasses.dataclass(frozen=True, slots=True)
class AnswerDeadline:
    """`seconds` after a question arrived, at event-loop time `at`."""

    seconds: float
    at: float

    @classmethod
    def starting_now(cls, seconds: float) -> AnswerDeadline:
        """A deadline `seconds` from now (call it inside the running event loop)."""
        return cls(seconds, asyncio.get_running_loop().time() + seconds)

    async def complete(self, chat_model: ChatModel, request: ChatRequest) -> Completion:
        """`chat_model.complete(request)`, or UpstreamTimeout once the deadline has passed."""
        timeout = asyncio.timeout_at(self.at)
        try:
            async with timeout:
                return await chat_model.complete(request)
        except TimeoutError:
            if timeout.expired():
                raise self._missed() from None
            raise

    async def stream(
        self, chat_model: ChatModel, request: ChatRequest
    ) -> AsyncGenerator[StreamEvent, None]:
        """`chat_model.stream(request)`, whose first event must come before the deadline
        (UpstreamTimeout otherwise); the events after it may take longer."""
        events = chat_model.stream(request)
        try:
            timeout = asyncio.timeout_at(self.at)
            try:
                async with timeout:  # no yield inside: the timeout cancels this task
                    first = await anext(events, None)
            except TimeoutError:
                if timeout.expired():
                    raise self._missed() from None
                raise
            if first is None:
                return
            yield first
            async for event in events:
                yield event
        finally:
            close = getattr(events, "aclose", None)
            if close is not None:  # ends the provider's request, on a disconnect too
                await close()

    def _missed(self) -> UpstreamTimeout:
        return UpstreamTimeout(f"no answer within the chat's deadline of {self.seconds:g} s")
