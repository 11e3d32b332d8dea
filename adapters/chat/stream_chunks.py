"""The lines of an OpenAI-style completion stream, decoded with msgspec into what askdocs reads.

`data: {chat.completion.chunk}` lines carry the text; `data: [DONE]` ends the stream; other
lines (comments, `event:`, blank separators) carry nothing. A chunk that is not JSON, or an
`error` object sent mid-stream, means the provider broke its stream: UpstreamUnavailable.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from askdocs.application.errors import UpstreamUnavailable


class Usage(msgspec.Struct, frozen=True):
    prompt_tokens: int = 0
    completion_tokens: int = 0


class DeltaText(msgspec.Struct, frozen=True):
    content: str | None = None


class Choice(msgspec.Struct, frozen=True):
    delta: DeltaText = DeltaText()


class GroqExtra(msgspec.Struct, frozen=True):
    usage: Usage | None = None


class Chunk(msgspec.Struct, frozen=True):
    model: str | None = None
    choices: tuple[Choice, ...] = ()
    usage: Usage | None = None
    x_groq: GroqExtra | None = None  # Groq reports usage here
    error: Any = None


class Done:
    """The end-of-stream marker."""


DONE: Final = Done()
_decode = msgspec.json.Decoder(Chunk).decode


def parse(line: str, provider: str) -> Chunk | Done | None:
    """The chunk a stream line carries, DONE at its end, None for lines without data."""
    if not line.startswith("data:"):
        return None
    data = line[5:].strip()
    if data == "[DONE]":
        return DONE
    try:
        chunk = _decode(data)
    except msgspec.DecodeError as exc:
        raise UpstreamUnavailable(f"{provider} sent an unreadable stream chunk") from exc
    if chunk.error is not None:
        raise UpstreamUnavailable(f"{provider} reported an error mid-stream: {chunk.error!r:.200}")
    return chunk
