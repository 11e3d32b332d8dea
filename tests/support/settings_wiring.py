"""What the container feeds each constructor from the settings, and objects built that way.

The container is the one place that says which setting fills which constructor parameter.
`from_settings` reads it there, so a test builds an adapter, a use case or a policy with the
production defaults and names only the values it is about; `settings_fed_defaults` finds
parameters the container fills from a setting that still carry a default of their own (two
defaults, which drift apart).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from dependency_injector import containers, providers

from askdocs.entrypoints.container import build_container
from askdocs.entrypoints.settings import Settings

T = TypeVar("T")
Builder = providers.Callable[Any] | providers.Factory[Any] | providers.BaseSingleton[Any]
_BUILDERS = (providers.Callable, providers.Factory, providers.BaseSingleton)
_STATEFUL = (providers.Factory, providers.BaseSingleton, providers.Selector)


def builders(container: containers.Container) -> Iterator[tuple[str, Builder]]:
    """(path, provider) of every provider that calls a constructor or a function, nested ones
    (a Selector's choices, a provider among another's arguments) included; a path reads like
    `index.postgres` or `reranker.local.embedder`. Each provider comes once, under the
    first name it is declared by."""
    seen: set[int] = set()
    for name, provider in container.providers.items():
        yield from _walk(name, provider, seen)


def _walk(path: str, provider: object, seen: set[int]) -> Iterator[tuple[str, Builder]]:
    if id(provider) in seen:
        return
    seen.add(id(provider))
    if isinstance(provider, providers.Selector):
        for key, choice in provider.providers.items():
            yield from _walk(f"{path}.{key}", choice, seen)
    elif isinstance(provider, _BUILDERS):
        yield path, provider
        for name, value in provider.kwargs.items():
            yield from _walk(f"{path}.{name}", value, seen)


def target_of(provider: Builder) -> Any:
    """What the provider calls: the adapter a lazily imported factory (`extras.lazy`) stands
    for, imported now, else the provider's own callable."""
    provides = provider.provides
    load = getattr(provides, "import_target", None)
    return load() if load is not None else provides


def from_settings(
    factory: Callable[..., T], /, *, at: str = "", settings: Settings | None = None, **given: Any
) -> T:
    """`factory(...)` with every parameter the container fills from settings alone taken
    from `settings` (default: `Settings()`, the production defaults), and `given` on top.

    Collaborators the container builds (a database, an embedder) are not made here: pass them
    in `given`. `at` picks one of several places the container calls `factory` (a path prefix
    as `builders` names them).

    Raises:
        LookupError: the container never calls `factory`, or calls it in several places and
            `at` does not pick one.
    """
    container = build_container(settings or Settings())
    found = [
        (path, provider)
        for path, provider in builders(container)
        if target_of(provider) == factory and path.startswith(at)
    ]
    if len(found) != 1:
        paths = [path for path, _ in found] or "nowhere"
        raise LookupError(f"the container calls {factory!r} at {paths}: pick one with `at`")
    _, provider = found[0]
    wired = {
        name: value() if isinstance(value, providers.Provider) else value
        for name, value in provider.kwargs.items()
        if name not in given and _settings_only(value)
    }
    return factory(**wired, **given)


def _settings_only(value: object) -> bool:
    """Whether the value is made from settings alone (no adapter built on the way)."""
    if not isinstance(value, providers.Provider):
        return True
    return not any(isinstance(p, _STATEFUL) for p in (value, *value.traverse()))


def _fed_from_settings(value: object) -> bool:
    """Whether the value is a setting, or made from settings alone."""
    if not isinstance(value, providers.Provider) or not _settings_only(value):
        return False
    reached = (value, *value.traverse())
    return any(isinstance(p, providers.ConfigurationOption | providers.Dependency) for p in reached)


def settings_fed_defaults(container: containers.Container) -> list[str]:
    """`path: parameter=default` for each parameter the container fills from a setting whose
    function or class declares a default of its own as well."""
    doubled = []
    for path, provider in builders(container):
        if provider.provides is None:
            continue
        try:
            parameters = inspect.signature(target_of(provider)).parameters
        except (TypeError, ValueError):  # a builtin without a signature
            continue
        for name, value in provider.kwargs.items():
            parameter = parameters.get(name)
            if (
                parameter is not None
                and parameter.default is not inspect.Parameter.empty
                and _fed_from_settings(value)
            ):
                doubled.append(f"{path}: {name}={parameter.default!r}")
    return doubled


def settings_fed_parameters(container: containers.Container) -> list[str]:
    """`path: parameter` for each parameter the container fills from a setting."""
    return [
        f"{path}: {name}"
        for path, provider in builders(container)
        for name, value in provider.kwargs.items()
        if _fed_from_settings(value)
    ]
