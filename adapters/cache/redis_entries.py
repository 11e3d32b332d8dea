"""The form answers take in Redis: msgspec Structs mirroring the domain's Answer and Passage.

The domain types stay free of serialisation concerns; a test checks the mirror keeps every
field. Unknown fields are ignored; an entry missing one (written by an older askdocs) fails
to decode, which the cache treats as a miss.
"""

from __future__ import annotations

import msgspec

from askdocs.domain.answers import Answer, Passage


class PassageEntry(msgspec.Struct, frozen=True):
    chunk_id: str
    document_id: str
    document: str
    version: int
    page: int | None
    text: str
    score: float
    tags: tuple[str, ...]


class AnswerEntry(msgspec.Struct, frozen=True):
    text: str
    sources: tuple[PassageEntry, ...]
    model: str
    provider: str
    cached: bool
    degraded: bool
    warnings: tuple[str, ...]


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(AnswerEntry)


def encode_answer(answer: Answer) -> bytes:
    """The answer as the JSON stored in Redis."""
    return _encoder.encode(
        AnswerEntry(
            text=answer.text,
            sources=tuple(_passage_entry(p) for p in answer.sources),
            model=answer.model,
            provider=answer.provider,
            cached=answer.cached,
            degraded=answer.degraded,
            warnings=answer.warnings,
        )
    )


def decode_answer(data: bytes | str) -> Answer:
    """The answer `encode_answer` stored; msgspec.DecodeError when it is not one."""
    entry = _decoder.decode(data)
    return Answer(
        text=entry.text,
        sources=tuple(Passage(**msgspec.structs.asdict(p)) for p in entry.sources),
        model=entry.model,
        provider=entry.provider,
        cached=entry.cached,
        degraded=entry.degraded,
        warnings=entry.warnings,
    )


def _passage_entry(passage: Passage) -> PassageEntry:
    return PassageEntry(
        chunk_id=passage.chunk_id,
        document_id=passage.document_id,
        document=passage.document,
        version=passage.version,
        page=passage.page,
        text=passage.text,
        score=passage.score,
        tags=passage.tags,
    )
