"""The process's logging set-up saved before a test changes it and put back afterwards."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import structlog

_NAMED_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "litestar")


@contextlib.contextmanager
def logging_restored() -> Iterator[None]:
    """The body may call configure_logging; the handlers it installed are closed after it (a
    file handler finishes compressing) and the set-up from before comes back."""
    root = logging.getLogger()
    saved_root = (root.handlers[:], root.level)
    saved_named = {
        name: (logging.getLogger(name).handlers[:], logging.getLogger(name).propagate)
        for name in _NAMED_LOGGERS
    }
    saved_access_disabled = logging.getLogger("uvicorn.access").disabled
    saved_structlog = structlog.get_config()
    try:
        yield
    finally:
        for handler in root.handlers:
            if handler not in saved_root[0]:
                handler.close()
        root.handlers[:], level = saved_root
        root.setLevel(level)
        for name, (handlers, propagate) in saved_named.items():
            logging.getLogger(name).handlers[:] = handlers
            logging.getLogger(name).propagate = propagate
        logging.getLogger("uvicorn.access").disabled = saved_access_disabled
        structlog.configure(**saved_structlog)
