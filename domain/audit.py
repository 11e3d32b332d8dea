"""The audit trail: who changed what, when, from where, and how it ended."""

from __future__ import annotations

import dataclasses
import enum
from datetime import datetime


class Outcome(enum.StrEnum):
    """How a write ended: done, refused (the caller's request or rights), or failed (ours)."""

    SUCCEEDED = "succeeded"
    REFUSED = "refused"
    FAILED = "failed"

    @classmethod
    def of_status(cls, status: int) -> Outcome:
        if status < 400:
            return cls.SUCCEEDED
        return cls.REFUSED if status < 500 else cls.FAILED


@dataclasses.dataclass(frozen=True, slots=True)
class AuditEvent:
    """One authenticated write.

    `action` names it (`document.upload`, `key.revoke`, ...), `target` what it was done to
    (the path of the resource, or where a new one can be found), `status` the HTTP answer.
    """

    id: str
    at: datetime
    subject: str
    role: str
    action: str
    target: str
    client_ip: str
    outcome: Outcome
    status: int
    request_id: str
