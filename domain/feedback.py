"""Feedback: what a person thought of one answer, by the answer's trace id."""

from __future__ import annotations

import dataclasses
import enum
import re
from datetime import datetime

from askdocs.domain.errors import DomainError

MAX_COMMENT_CHARS = 2000
_TRACE_ID = re.compile(r"[A-Za-z0-9._\-]{1,128}")  # what the API issues and echoes


class Rating(enum.StrEnum):
    UP = "up"
    DOWN = "down"


class InvalidFeedback(DomainError):
    """Feedback that names no answer, or says too much."""


@dataclasses.dataclass(frozen=True, slots=True)
class Feedback:
    """A rating of the answer traced by `trace_id`, with an optional comment, from `subject`.

    Raises:
        InvalidFeedback: a malformed trace id, or a comment over MAX_COMMENT_CHARS or holding
            control characters.
    """

    id: str
    trace_id: str
    rating: Rating
    comment: str
    subject: str
    created_at: datetime

    def __post_init__(self) -> None:
        if not _TRACE_ID.fullmatch(self.trace_id):
            raise InvalidFeedback("trace_id must be the id of an answer (letters, digits, . _ -)")
        if len(self.comment) > MAX_COMMENT_CHARS:
            raise InvalidFeedback(f"the comment is longer than {MAX_COMMENT_CHARS} characters")
        if any(ord(c) < 32 and c not in "\n\t" for c in self.comment):
            raise InvalidFeedback("the comment holds control characters")
