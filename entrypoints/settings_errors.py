"""One line for a setting askdocs cannot use: where it came from (the variable, or the key in
the settings file), what was expected, and the name that was probably meant.

msgspec says `Expected `int`, got `str` - at `$.server.port``: right, but it names neither the
variable a user set nor what would do. Values are repeated only where they cannot be secret
(numbers, switches, choices); a URL or a key never is.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import typing
from collections.abc import Mapping
from typing import Any

import msgspec

_LOCATED = re.compile(r"^(?P<what>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_UNKNOWN = re.compile(r"Object contains unknown field `(?P<field>[^`]+)`")
_EXPECTED = re.compile(r"Expected `(?P<kind>\w+)`(?P<bound> [<>]=? ?-?[\d.]+)?(?:, got `\w+`)?$")
_NAMED = re.compile(r"^(?P<setting>[a-z_]+(?:\.[a-z_]+)+): (?P<rest>.*)$", re.DOTALL)
_KINDS = {"int": "a whole number", "float": "a number", "bool": "true or false"}
_SHAPES = {
    "database.url": "a PostgreSQL URL like postgresql://user:password@host:5432/askdocs",
    "redis.url": "a Redis URL like redis://host:6379/0 (or rediss://, unix://)",
}
"""What a value that failed its pattern should look like, by setting."""
REFERENCE = "docs/operations.md lists every setting"


@dataclasses.dataclass(frozen=True)
class SettingsSource:
    """Where settings were read from: the variables (with their prefix) and the file."""

    environ: Mapping[str, str]
    prefix: str
    config_file: str | None

    def describe(
        self, error: msgspec.ValidationError, root: type[msgspec.Struct], *within: str
    ) -> str:
        """`error`, met converting to `root` the settings under `within`, as one line."""
        located = _LOCATED.match(str(error))
        assert located is not None  # the pattern matches any text
        what = located["what"]
        path = [part for part in (located["path"] or "").split(".") if part]
        if unknown := _UNKNOWN.fullmatch(what):
            suggestion = self._suggestion(root, within, path, unknown["field"])
            name = self._name([*within, *path, unknown["field"]])
            return f"unknown setting {name}{suggestion}; {REFERENCE}"
        if not path:
            return f"invalid setting: {what}"
        if what.startswith("Expected `object`"):
            name = self._name([*within, *path])
            return f"{name} is a group of settings, not a value: set {name}__<SETTING>"
        if what.startswith(".".join([*within, *path])):  # a check that names its setting
            return self._with_variable(what)
        return self._invalid_value(root, within, path, what)

    def _invalid_value(
        self, root: type[msgspec.Struct], within: tuple[str, ...], path: list[str], what: str
    ) -> str:
        dotted = ".".join([*within, *path])
        name, value = self._name([*within, *path]), self._value([*within, *path])
        if dotted in _SHAPES:  # a pattern failed: never repeat the value, it may hold a password
            return f"{name}: expected {_SHAPES[dotted]}"
        choices = _choices(root, path)
        if choices:
            listed = ", ".join(choice or "(empty)" for choice in choices)
            return f"{name}{value}: expected one of {listed}"
        expected = _EXPECTED.fullmatch(what)
        if expected and expected["kind"] in _KINDS:
            bound = expected["bound"] or ""
            return f"{name}{value}: expected {_KINDS[expected['kind']]}{bound}"
        return f"{name}: {what}"

    def _with_variable(self, message: str) -> str:
        """`message` (`cors.allow_origins: ...`) naming the variable when one set the value."""
        named = _NAMED.match(message)
        if named is None:
            return message
        variable = self._variable(named["setting"].split("."))
        return f"{variable}: {named['rest']}" if variable in self.environ else message

    def _variable(self, path: list[str]) -> str:
        return self.prefix + "__".join(path).upper()

    def _name(self, path: list[str]) -> str:
        variable = self._variable(path)
        if variable in self.environ:
            return variable
        # An unknown group: the variable that named it has the group's name as its start.
        nested = sorted(name for name in self.environ if name.startswith(f"{variable}__"))
        if nested:
            return nested[0]
        return f"{'.'.join(path)} in {self.config_file}" if self.config_file else variable

    def _value(self, path: list[str]) -> str:
        variable = self._variable(path)
        return f"={self.environ[variable]!r}" if variable in self.environ else ""

    def _suggestion(
        self, root: type[msgspec.Struct], within: tuple[str, ...], path: list[str], field: str
    ) -> str:
        """The setting probably meant: a near spelling, or a group and its setting joined by
        one underscore where two belong (ASKDOCS_DATABASE_URL)."""
        known = _fields(root, path)
        for group in known:
            rest = field.removeprefix(f"{group}_")
            if rest != field and rest in _fields(root, [*path, group]):
                return f" (did you mean {self._name([*within, *path, group, rest])}?)"
        close = difflib.get_close_matches(field, known, n=1, cutoff=0.6)
        if not close:
            return ""
        return f" (did you mean {self._name([*within, *path, close[0]])}?)"


def _field_type(root: type[msgspec.Struct], path: list[str]) -> Any:
    kind: Any = root
    for part in path:
        if not (isinstance(kind, type) and issubclass(kind, msgspec.Struct)):
            return None
        kind = next((f.type for f in msgspec.structs.fields(kind) if f.name == part), None)
    return kind


def _fields(root: type[msgspec.Struct], path: list[str]) -> list[str]:
    kind = _field_type(root, path)
    if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
        return [f.name for f in msgspec.structs.fields(kind)]
    return []


def _choices(root: type[msgspec.Struct], path: list[str]) -> tuple[str, ...]:
    kind = _field_type(root, path)
    if typing.get_origin(kind) is typing.Literal:
        return tuple(str(choice) for choice in typing.get_args(kind))
    return ()
