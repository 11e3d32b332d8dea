"""The settings are the only defaults: a knob the container fills from a setting has no
default of its own in the constructor, so the two can never disagree."""

from __future__ import annotations

import pytest
from dependency_injector import containers, providers

from askdocs.adapters.cache.memory import InMemoryAnswerCache
from askdocs.adapters.chat.extractive import ExtractiveChatModel
from askdocs.entrypoints.container import build_container
from askdocs.entrypoints.settings import Settings
from tests.support.settings_wiring import (
    from_settings,
    settings_fed_defaults,
    settings_fed_parameters,
)


def test_no_parameter_the_container_fills_from_a_setting_has_a_default_of_its_own() -> None:
    assert settings_fed_defaults(build_container(Settings())) == []


def test_the_knobs_whose_defaults_once_disagreed_are_among_those_checked() -> None:
    checked = set(settings_fed_parameters(build_container(Settings())))
    assert {
        "index.memory: vector_weight",
        "index.postgres: vector_weight",
        "index.postgres: exact_search_below",
        "cache.memory: max_entries",
        "ask_question: min_coverage",
        "parser.isolated: max_concurrent",  # through a function of a setting
    } <= checked


class Knobbed:
    def __init__(self, *, weight: float = 1.0, timer: object = None) -> None:
        self.weight, self.timer = weight, timer


class Wiring(containers.DeclarativeContainer):
    config = providers.Configuration()
    knobbed = providers.Singleton(Knobbed, weight=config.weight, timer=providers.Object(None))


def test_a_default_on_a_knob_filled_from_a_setting_is_reported_and_other_defaults_are_not() -> None:
    assert settings_fed_defaults(Wiring()) == ["knobbed: weight=1.0"]


def test_an_adapter_built_from_settings_has_the_settings_values() -> None:
    settings = Settings()
    production = from_settings(InMemoryAnswerCache)
    settings.cache.max_entries = 2
    small = from_settings(InMemoryAnswerCache, settings=settings)
    sizes = [cache._entries.maxsize for cache in (production, small)]
    assert sizes == [Settings().cache.max_entries, 2]


def test_a_constructor_the_container_never_calls_cannot_be_built_from_settings() -> None:
    with pytest.raises(LookupError, match="nowhere"):
        from_settings(ExtractiveChatModel)
