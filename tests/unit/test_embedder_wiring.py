"""`embedder.models`: which embedding models the settings describe, most preferred first."""

from __future__ import annotations

import pytest

from askdocs.entrypoints.container import build_container
from askdocs.entrypoints.embedder_wiring import build_embedder, model_sections
from askdocs.entrypoints.settings import EmbeddingModelSettings, SettingsError, load_settings

TWO = {
    "ASKDOCS_EMBEDDER__MODELS": "Big, small",
    "ASKDOCS_EMBEDDER__BIG__DIM": "256",
    "ASKDOCS_EMBEDDER__SMALL__DIM": "128",
}


def test_without_models_the_section_itself_is_the_one_model() -> None:
    container = build_container(load_settings({"ASKDOCS_EMBEDDER__DIM": "64"}))
    assert [e.model_id for e in container.embedders()] == ["hashing-v1-64"]
    assert container.keep_embeddings_complete() is None


def test_models_are_built_from_their_sections_most_preferred_first() -> None:
    container = build_container(load_settings(TWO))
    assert [e.model_id for e in container.embedders()] == ["hashing-v1-256", "hashing-v1-128"]
    assert container.embedder() is container.embedders()[0]
    assert container.process_ingestion().embedders == container.embedders()
    assert container.keep_embeddings_complete() is not None


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"ASKDOCS_EMBEDDER__MODELS": "big"}, "ASKDOCS_EMBEDDER__BIG__BACKEND"),
        ({**TWO, "ASKDOCS_EMBEDDER__MODELS": "big,small,big"}, "names a model twice"),
        ({**TWO, "ASKDOCS_EMBEDDER__MODELS": "big"}, "not in embedder.models: ['small']"),
        ({"ASKDOCS_EMBEDDER__BIG__DIM": "256"}, "not in embedder.models: ['big']"),
        ({**TWO, "ASKDOCS_EMBEDDER__SMALL__DIM": "256"}, "two models store vectors as one"),
    ],
)
def test_models_that_cannot_work_are_refused_at_start(
    variables: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError, match=message.replace("[", r"\[").replace("]", r"\]")):
        build_container(load_settings(variables)).embedders()


def test_a_named_section_is_checked_on_its_own() -> None:
    with pytest.raises(SettingsError, match="ASKDOCS_EMBEDDER__BIG__DIM"):
        load_settings({**TWO, "ASKDOCS_EMBEDDER__BIG__DIM": "many"})


def test_a_section_builds_the_adapter_the_container_builds_for_the_same_fields() -> None:
    settings = load_settings({"ASKDOCS_EMBEDDER__DIM": "96"})
    (section,) = model_sections(settings.embedder)
    assert section == EmbeddingModelSettings(dim=96)
    assert build_embedder(section).model_id == build_container(settings).embedder().model_id
