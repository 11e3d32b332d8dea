"""argparse types for the values flags take: a wrong one is a usage error (exit status 2)
naming the flag, before any setting is read."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def port(text: str) -> int:
    """A TCP port, 1 to 65535."""
    number = _whole(text)
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (1 to 65535)")
    return number


def at_least(least: int) -> Callable[[str], int]:
    """A whole number no smaller than `least`."""

    def checked(text: str) -> int:
        number = _whole(text)
        if number < least:
            raise argparse.ArgumentTypeError(f"{text!r} is less than {least}")
        return number

    checked.__name__ = f"a whole number >= {least}"  # argparse names the type by it
    return checked


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
