"""Errors raised by domain rules."""


class DomainError(Exception):
    """Root of every error the domain raises."""


class InvalidQuestion(DomainError):
    """A question that cannot be asked: empty, or longer than allowed."""


class InvalidChunkingPolicy(DomainError):
    """A chunk size or overlap that cannot produce progressing windows."""


class InvalidTag(DomainError):
    """A document tag that is empty, too long or holds a separator."""


class DocumentDeleted(DomainError):
    """An operation that needs a live document was given a deleted one."""


class InvalidTransition(DomainError):
    """A version asked to move to a status it cannot reach from where it is."""


class InvalidSessionId(DomainError):
    """A session id that is empty, too long, or holds characters other than letters, digits,
    `.`, `_` and `-`."""
