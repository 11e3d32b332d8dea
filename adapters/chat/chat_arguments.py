"""The arguments of an OpenAI-style chat completion call, shared by the SDK and llama.cpp models."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from askdocs.application.ports import ChatRequest
from askdocs.domain.prompts import Message, build_prompt


def chat_arguments(request: ChatRequest, *, max_tokens: int) -> dict[str, Any]:
    """`messages`, `max_tokens` and, when asked for, `temperature` for `request`."""
    messages = request.messages or _fallback_prompt(request)
    arguments: dict[str, Any] = {
        "messages": [{"role": m.role, "content": m.content} for m in messages],
        # The caller may ask for less than the operator's cap, never for more.
        "max_tokens": min(request.max_tokens or max_tokens, max_tokens),
    }
    if request.temperature is not None:
        arguments["temperature"] = request.temperature
    return arguments


def _fallback_prompt(request: ChatRequest) -> Sequence[Message]:
    """A prompt for a request built without one (callers that skip the use case)."""
    messages, _ = build_prompt(
        request.question,
        request.passages,
        request.history,
        count_tokens=len,
        budget_tokens=sys.maxsize,  # no budget: nothing is dropped
    )
    return messages
