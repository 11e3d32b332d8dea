"""askdocs.adapters.conformance names every adapter, so mypy checks each against its port.

A class under adapters/ that has every method and property of a Protocol (a port, or a
Protocol the adapters define for themselves) must appear there as that Protocol, unless it is
listed below with the reason it is not one.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import typing
from collections.abc import Iterator
from types import ModuleType

import askdocs.adapters
import askdocs.application.ports
from askdocs.adapters import conformance
from askdocs.adapters.index.memory import InMemoryVectorIndex
from askdocs.adapters.parsing.composite import ContentSniffingParser
from askdocs.application.ports import Clock, DocumentParser

NOT_IMPLEMENTATIONS: dict[tuple[type, type], str] = {
    (ContentSniffingParser, DocumentParser): (
        "parses synchronously and without a budget: InlineParser and IsolatedParser wrap it "
        "as the DocumentParser"
    ),
}


def modules_of(package: ModuleType) -> Iterator[ModuleType]:
    yield package
    for found in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        yield importlib.import_module(found.name)


def classes_defined_in(*packages: ModuleType) -> set[type]:
    return {
        value
        for package in packages
        for module in modules_of(package)
        for value in vars(module).values()
        if inspect.isclass(value) and value.__module__ == module.__name__
    }


def is_protocol(cls: type) -> bool:
    return bool(getattr(cls, "_is_protocol", False))


def members(protocol: type) -> set[str]:
    """The methods and properties a Protocol asks for."""
    return {name for name in vars(protocol) if not name.startswith("_")}


def has_members_of(cls: type, protocol: type) -> bool:
    return all(hasattr(cls, name) for name in members(protocol))


def declared() -> set[tuple[type, type]]:
    """(adapter, Protocol) from each function of the conformance module: adapter -> port."""
    pairs = set()
    for function in vars(conformance).values():
        if inspect.isfunction(function) and function.__module__ == conformance.__name__:
            hints = typing.get_type_hints(function)
            pairs.add((hints["adapter"], hints["return"]))
    return pairs


ADAPTER_CLASSES = classes_defined_in(askdocs.adapters)
PROTOCOLS = {
    cls
    for cls in classes_defined_in(askdocs.application.ports, askdocs.adapters)
    if is_protocol(cls)
}


def undeclared(
    classes: set[type], protocols: set[type], pairs: set[tuple[type, type]]
) -> list[str]:
    """Each class with the members of a Protocol that `pairs` does not pair it with.

    Names alone cannot tell every port apart: an ApiKeyStore has the `add` and `list` of a
    FeedbackStore. A class declared as a Protocol whose members include all of another's is
    not also asked to be the other: the types, which mypy checks, say which one it is.
    """
    missing = []
    for cls in classes - protocols:
        declared_as = [p for c, p in pairs if c is cls]
        for protocol in protocols:
            explained = (cls, protocol) in pairs or (cls, protocol) in NOT_IMPLEMENTATIONS
            wider = any(members(protocol) < members(p) for p in declared_as)
            if has_members_of(cls, protocol) and not explained and not wider:
                missing.append(f"{cls.__module__}.{cls.__qualname__} as {protocol.__qualname__}")
    return sorted(missing)


def test_every_adapter_with_the_methods_of_a_protocol_is_in_the_conformance_module() -> None:
    missing = undeclared(ADAPTER_CLASSES, PROTOCOLS, declared())
    assert not missing, "add to askdocs/adapters/conformance.py:\n" + "\n".join(missing)


def test_an_adapter_left_out_of_the_conformance_module_is_reported() -> None:
    pairs = {(cls, protocol) for cls, protocol in declared() if cls is not InMemoryVectorIndex}
    missing = undeclared(ADAPTER_CLASSES, PROTOCOLS, pairs)
    assert missing == ["askdocs.adapters.index.memory.InMemoryVectorIndex as VectorIndex"]


def test_every_protocol_has_an_implementation_in_the_conformance_module() -> None:
    implemented = {protocol for _, protocol in declared()}
    assert {protocol.__qualname__ for protocol in PROTOCOLS - implemented} == set()


def test_the_conformance_module_pairs_each_adapter_with_a_protocol_it_matches() -> None:
    pairs = declared()
    assert all(is_protocol(protocol) and has_members_of(cls, protocol) for cls, protocol in pairs)


def test_the_listed_exceptions_still_look_like_their_protocol() -> None:
    # An exception that no longer matches is dead weight that would hide a future class.
    assert all(has_members_of(cls, protocol) for cls, protocol in NOT_IMPLEMENTATIONS)


def test_a_class_with_a_ports_methods_counts_and_one_without_does_not() -> None:
    class Ticking:
        def now(self) -> None: ...

        def timestamp(self) -> None: ...

    class HalfAClock:
        def now(self) -> None: ...

    assert has_members_of(Ticking, Clock)
    assert not has_members_of(HalfAClock, Clock)
