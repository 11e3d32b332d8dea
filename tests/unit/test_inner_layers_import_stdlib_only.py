"""The domain and the application import the standard library and the layers beneath them only.

An allowlist: import-linter's contract names the packages the inner layers must not import,
which says nothing of a package nobody thought to name. Every import counts, wherever it sits
(module level, under `if TYPE_CHECKING:`, inside a function), relative ones resolved; a dynamic
import cannot be checked, so it is refused outright. The modules are found through importlib,
so under nox they are the installed wheel's, not the working tree's.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

FIRST_PARTY_ALLOWED = {
    "askdocs.domain": ("askdocs.domain",),
    "askdocs.application": ("askdocs.domain", "askdocs.application"),
}
_DYNAMIC_IMPORTS = frozenset({"__import__", "import_module"})


def imported_names(source: str, module: str, *, is_package: bool) -> Iterator[tuple[int, str]]:
    """(line, absolute dotted name) of every import in `source`; `from m import a` names
    `m.a`, so a relative `from .. import adapters` names the layer it reaches."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = _absolute("." * node.level + (node.module or ""), package)
            for alias in node.names:
                yield node.lineno, base.rstrip(".") + "." + alias.name if base else alias.name
        elif isinstance(node, ast.Call) and _called(node.func) in _DYNAMIC_IMPORTS:
            yield node.lineno, f"{_called(node.func)}(...)"


def _absolute(name: str, package: str) -> str:
    if not name.startswith("."):
        return name
    try:
        return importlib.util.resolve_name(name, package)
    except ImportError:  # beyond the top-level package: named so no allowlist holds it
        return f"(beyond the top package){name}"


def _called(function: ast.expr) -> str | None:
    if isinstance(function, ast.Name):
        return function.id
    return function.attr if isinstance(function, ast.Attribute) else None


def is_allowed(name: str, first_party: tuple[str, ...]) -> bool:
    top = name.partition(".")[0]
    if top == "askdocs":
        return any(name == layer or name.startswith(f"{layer}.") for layer in first_party)
    return top in sys.stdlib_module_names


def foreign_imports(
    source: str, module: str, *, is_package: bool = False, first_party: tuple[str, ...]
) -> list[str]:
    return [
        name
        for _, name in imported_names(source, module, is_package=is_package)
        if not is_allowed(name, first_party)
    ]


def installed_modules(layer: str) -> Iterator[tuple[str, Path, bool]]:
    """(module name, source file, is a package) of every module of the installed `layer`."""
    spec = importlib.util.find_spec(layer)
    assert spec is not None, f"{layer} is not installed"
    assert spec.submodule_search_locations, f"{layer} is not a package"
    for root in map(Path, spec.submodule_search_locations):
        for path in sorted(root.rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            is_package = parts[-1] == "__init__"
            yield ".".join((layer, *(parts[:-1] if is_package else parts))), path, is_package


@pytest.mark.parametrize("layer", sorted(FIRST_PARTY_ALLOWED))
def test_every_module_of_the_layer_imports_only_the_stdlib_and_the_layers_beneath(
    layer: str,
) -> None:
    modules = list(installed_modules(layer))
    assert any(path.name == "__init__.py" for _, path, _ in modules)
    foreign = [
        f"{path}:{line}: {name}"
        for module, path, is_package in modules
        for line, name in imported_names(
            path.read_text(encoding="utf-8"), module, is_package=is_package
        )
        if not is_allowed(name, FIRST_PARTY_ALLOWED[layer])
    ]
    assert not foreign, "imports outside the allowlist:\n" + "\n".join(foreign)


@pytest.mark.parametrize(
    ("source", "caught"),
    [
        ("import tqdm", "tqdm"),
        ("import os, uvloop", "uvloop"),
        ("from numpy import typing", "numpy.typing"),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import msgspec", "msgspec"),
        ("def load():\n    import redis\n    return redis", "redis"),
        ("from ..adapters import cache", "askdocs.adapters.cache"),
        ("from .... import above", "(beyond the top package).above"),
        ("from askdocs.application.ports import ChatModel", "askdocs.application.ports.ChatModel"),
        ("import askdocs", "askdocs"),
        ("import importlib\nimportlib.import_module('tqdm')", "import_module(...)"),
        ("__import__('tqdm')", "__import__(...)"),
    ],
)
def test_a_foreign_import_anywhere_in_a_domain_module_is_caught(source: str, caught: str) -> None:
    found = foreign_imports(
        source, "askdocs.domain.answers", first_party=FIRST_PARTY_ALLOWED["askdocs.domain"]
    )
    assert found == [caught]


def test_the_stdlib_future_imports_and_the_layers_own_modules_pass() -> None:
    source = (
        "from __future__ import annotations\n"
        "import dataclasses, collections.abc\n"
        "from askdocs.domain.errors import DomainError\n"
        "from askdocs.application.ports import ChatModel\n"
        "from . import errors\n"
        "from .ports import Metrics\n"
    )
    found = foreign_imports(
        source,
        "askdocs.application",
        is_package=True,
        first_party=FIRST_PARTY_ALLOWED["askdocs.application"],
    )
    assert found == []
