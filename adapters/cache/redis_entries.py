"""The form answers take in Redis: the domain's Answer as JSON, through msgspec.

msgspec encodes and decodes frozen dataclasses directly, so no mirror types are needed and a
field added to Answer or Passage is stored without a change here. Unknown fields are ignored;
an entry that does not decode is treated by the cache as a miss.
"""

from __future__ import annotations

import msgspec

from askdocs.domain.answers import Answer

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(Answer)


def encode_answer(answer: Answer) -> bytes:
    """The answer as the JSON stored in Redis."""
    return _encoder.encode(answer)


def decode_answer(data: bytes | str) -> Answer:
    """The answer `encode_answer` stored; msgspec.DecodeError when it is not one."""
    return _decoder.decode(data)
