"""structlog set-up: JSON lines off a terminal, secrets masked, every stdlib logger routed through;
with `log.file`, the same masked JSON lines also go to this process's files (log_files.py).

Masking runs last before rendering, over every string in the event, so a key, a Bearer token, a
JWT, a password or an e-mail address never reaches a log line whichever logger wrote it.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog
from structlog.typing import EventDict, Processor

from askdocs.entrypoints.log_files import LogFileNames, ProcessLogFile
from askdocs.entrypoints.settings import LogSettings, SettingsError
from askdocs.entrypoints.tracing_context import add_trace_id

MASK = "***"
SECRET_FIELDS = frozenset(
    {"api_key", "authorization", "password", "passwd", "secret", "token", "x-api-key", "cookie"}
)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"askd_[A-Za-z0-9_\-]{8,}"), "askd_" + MASK),
    # A JWT anywhere (a header's JSON always encodes to "eyJ"), not only after "Bearer".
    (re.compile(r"\beyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"), "eyJ" + MASK),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]+"), r"\1 " + MASK),
    (
        re.compile(r"(?i)\b(password|passwd|pwd|secret|token|api[_-]?key)(\s*[=:]\s*)[^\s,;&]+"),
        r"\1\2" + MASK,
    ),
    (re.compile(r"(?i)(://[^:/@\s]+:)[^@\s]+@"), r"\1" + MASK + "@"),
    (re.compile(r"[A-Za-z0-9._%+\-]+@([A-Za-z0-9\-]+\.)+[A-Za-z]{2,}"), MASK + "@" + MASK),
)


def mask_text(text: str) -> str:
    """`text` with every recognised secret replaced by ***."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _mask_value(key: str, value: Any) -> Any:
    if key.lower() in SECRET_FIELDS:
        return MASK
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        return {k: _mask_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask_value("", v) for v in value]
    return value


def mask_secrets(_: Any, __: str, event: EventDict) -> EventDict:
    """structlog processor: masks secrets in every field of the event."""
    masked: MutableMapping[str, Any] = event
    for key, value in list(event.items()):
        masked[key] = _mask_value(key, value)
    return event


def summarise_exception(_: Any, __: str, event: EventDict) -> EventDict:
    """structlog processor: an exception becomes its type and message, never a stack trace."""
    exc_info = event.pop("exc_info", None)
    if exc_info is True:
        exc_info = sys.exc_info()
    if isinstance(exc_info, BaseException):
        event["error"] = f"{type(exc_info).__name__}: {exc_info}"
    elif isinstance(exc_info, tuple) and exc_info[1] is not None:
        event["error"] = f"{type(exc_info[1]).__name__}: {exc_info[1]}"
    event.pop("stack_info", None)
    return event


def drop_console_copies(_: Any, __: str, event: EventDict) -> EventDict:
    """structlog processor: uvicorn puts a coloured copy of some messages in its records'
    extras (`color_message`); the message itself is already there."""
    event.pop("color_message", None)
    return event


def configure_logging(
    *, level: str = "INFO", json: str = "auto", files: LogFileSettings | None = None
) -> None:
    """Route structlog and the standard library through one masking, rendering pipeline, to
    stderr and, with `files`, to this process's log files as well."""
    as_json = json == "true" or (json == "auto" and not sys.stderr.isatty())
    structlog.configure(
        processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setFormatter(
        _masking_formatter(
            structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer()
        )
    )
    handlers: list[logging.Handler] = [stderr]
    if files is not None:
        handlers.append(_file_handler(files))
    root = logging.getLogger()
    for replaced in root.handlers:
        if isinstance(replaced, ProcessLogFile):  # a second set-up in one process
            replaced.close()
    root.handlers[:] = handlers
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "litestar"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True


def configure_logging_from(settings: LogSettings, *, role: str) -> None:
    """configure_logging as `settings` say, for a process of `role` (`serve`, `worker`): the
    role and this process's pid name its log files."""
    files = None
    if settings.file:
        files = LogFileSettings(
            location=settings.file,
            role=role,
            max_bytes=settings.max_bytes,
            backups=settings.backups,
        )
    configure_logging(level=settings.level, json=settings.json, files=files)


@dataclasses.dataclass(frozen=True, kw_only=True)
class LogFileSettings:
    """Where and how one process writes its log files (`log.file` and its neighbours)."""

    location: str
    role: str
    max_bytes: int
    backups: int


_SHARED: list[Processor] = [
    structlog.contextvars.merge_contextvars,
    add_trace_id,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def _masking_formatter(renderer: Processor) -> logging.Formatter:
    # Each handler renders the record itself, so every one of them masks before rendering.
    return structlog.stdlib.ProcessorFormatter(
        # Standard-library loggers (the application layer's) carry their fields as extras.
        foreign_pre_chain=[*_SHARED, structlog.stdlib.ExtraAdder(), drop_console_copies],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            summarise_exception,
            mask_secrets,
            renderer,
        ],
    )


def _file_handler(files: LogFileSettings) -> logging.Handler:
    names = LogFileNames.of(files.location, role=files.role, pid=os.getpid())
    try:
        handler = ProcessLogFile(names, max_bytes=files.max_bytes, backups=files.backups)
    except OSError as exc:
        raise SettingsError(
            f"log.file: cannot write log files in {names.directory}: {exc}"
        ) from exc
    handler.setFormatter(_masking_formatter(structlog.processors.JSONRenderer()))
    return handler
