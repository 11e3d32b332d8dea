"""The domain's rules for request fields, as OpenAPI constraints.

msgspec ignores these annotations, so bodies decode as before and the domain and use cases go on
refusing bad values with their own messages (422); the annotations only let the document say
which values those are. Each is built from the constant the rule itself uses.
"""

from __future__ import annotations

from typing import Annotated

from litestar.params import KwargDefinition

from askdocs.application.ask_question import MAX_ANSWER_TOKENS, MAX_TEMPERATURE, MAX_TOP_K
from askdocs.domain.answers import MAX_QUESTION_CHARS
from askdocs.domain.documents import MAX_TAG_LENGTH
from askdocs.domain.feedback import MAX_COMMENT_CHARS

_NOT_BLANK = r"\S"

Question = Annotated[
    str,
    KwargDefinition(
        pattern=_NOT_BLANK,
        max_length=MAX_QUESTION_CHARS,
        description=f"Not blank; at most {MAX_QUESTION_CHARS} characters once trimmed.",
    ),
]
# Tags and comments are trimmed before they are judged, so a pattern or a length on the raw
# text would refuse what the server accepts: their rule is stated in words only.
Tag = Annotated[
    str,
    KwargDefinition(
        description=f"Printable, no comma, at most {MAX_TAG_LENGTH} characters once trimmed; "
        "blank tags are dropped.",
    ),
]
TagList = Annotated[
    str,
    KwargDefinition(
        description=f"Comma-separated tags, each printable and at most {MAX_TAG_LENGTH} "
        "characters once trimmed.",
    ),
]
TopK = Annotated[int | None, KwargDefinition(ge=1, le=MAX_TOP_K)]
# Litestar drops a bound of 0 (it tests the bound's truth), so that one goes in as it is.
Temperature = Annotated[
    float | None, KwargDefinition(le=MAX_TEMPERATURE, schema_extra={"minimum": 0})
]
MaxTokens = Annotated[int | None, KwargDefinition(ge=1, le=MAX_ANSWER_TOKENS)]
TraceId = Annotated[
    str,
    KwargDefinition(
        pattern=r"^[A-Za-z0-9._\-]{1,128}$",
        description="The `trace_id` a chat answer carried.",
    ),
]
Comment = Annotated[
    str,
    KwargDefinition(
        description=f"At most {MAX_COMMENT_CHARS} characters once trimmed; no control "
        "characters but tab and newline.",
    ),
]
DocumentName = Annotated[str | None, KwargDefinition(pattern=_NOT_BLANK)]
