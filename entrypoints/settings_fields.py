"""Every leaf setting of a settings struct tree: its path, kind, default and meaning.

The meaning is the attribute docstring written under the field (read from the source, as
Python keeps no such docstrings at run time); kinds and defaults come from msgspec's own view
of the structs, so they are what loading the settings enforces.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import inspect
import itertools
import textwrap
from collections.abc import Iterator

import msgspec
from msgspec import inspect as types

OPERATOR_NAMED = "<name>"
"""Path segment of a group the operator names, as each LLM provider under `llm`."""


@dataclasses.dataclass(frozen=True, slots=True)
class SettingField:
    """One setting: `path` from the root (`("index", "top_k")`), and how the docs show it."""

    path: tuple[str, ...]
    kind: str
    shown_default: str
    meaning: str

    @property
    def dotted(self) -> str:
        """`index.top_k`, as settings are named in TOML files and messages."""
        return ".".join(self.path)


def settings_fields(root: type[msgspec.Struct]) -> list[SettingField]:
    """The leaf settings of `root` in declaration order.

    Raises:
        ValueError: a field has no docstring to say what it means.
    """
    info = types.type_info(root)
    assert isinstance(info, types.StructType)
    return list(_leaves(info, ()))


def _leaves(struct: types.StructType, prefix: tuple[str, ...]) -> Iterator[SettingField]:
    meanings = attribute_docstrings(struct.cls)
    for field in struct.fields:
        path = (*prefix, field.name)
        kind = field.type
        if isinstance(kind, types.StructType):
            yield from _leaves(kind, path)
        elif isinstance(kind, types.DictType) and isinstance(kind.value_type, types.StructType):
            yield from _leaves(kind.value_type, (*prefix, OPERATOR_NAMED))
        else:
            if field.name not in meanings:
                raise ValueError(f"setting {'.'.join(path)} has no docstring saying what it does")
            yield SettingField(path, describe_kind(kind), show(field.default), meanings[field.name])


@functools.cache
def attribute_docstrings(cls: type) -> dict[str, str]:
    """Field name -> the string literal right under its annotation, on one line; a field a
    base class declares has the base's."""
    found: dict[str, str] = {}
    for base in reversed(cls.__mro__):
        if issubclass(base, msgspec.Struct) and base is not msgspec.Struct:
            found.update(_declared_docstrings(base))
    return found


def _declared_docstrings(cls: type) -> dict[str, str]:
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = tree.body[0].body if isinstance(tree.body[0], ast.ClassDef) else []
    found = {}
    for field, after in itertools.pairwise(body):
        if (
            isinstance(field, ast.AnnAssign)
            and isinstance(field.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            found[field.target.id] = " ".join(after.value.value.split())
    return found


def describe_kind(kind: types.Type) -> str:
    """`integer 1..65535`, `` `auto`, `memory` ``, `number > 0`, `text`, ..."""
    if isinstance(kind, types.LiteralType):
        return ", ".join(f"`{value}`" if value != "" else "empty" for value in kind.values)
    if isinstance(kind, types.BoolType):
        return "`true`, `false`"
    if isinstance(kind, types.IntType | types.FloatType):
        name = "integer" if isinstance(kind, types.IntType) else "number"
        if kind.ge is not None and kind.le is not None:
            return f"{name} {kind.ge}..{kind.le}"
        bounds = [
            f"≥ {kind.ge}" if kind.ge is not None else "",
            f"> {kind.gt}" if kind.gt is not None else "",
        ]
        return " ".join([name, *filter(None, bounds)])
    if isinstance(kind, types.StrType):
        return "text"
    raise ValueError(f"no wording for settings of type {kind!r}")


def show(default: object) -> str:
    """A default as the docs write it: `true`, `0.25`, `cl100k_base`, or `empty`."""
    if default is msgspec.NODEFAULT:
        return "required"
    if default == "":
        return "empty"
    if isinstance(default, bool):
        return f"`{str(default).lower()}`"
    if isinstance(default, float):
        return f"`{default:g}`"
    return f"`{default}`"
