"""The embedding models the settings describe, most preferred first.

The container's `embedder` Selector builds the preferred model from the `embedder` section's
own fields; with `embedder.models`, those fields are the first named model's (`preferred_first`
rewrites the configuration the container reads), and the other models are built here from
their sections, by the same choice of adapter.
"""

from __future__ import annotations

from typing import Any

import msgspec

from askdocs.application.backfill_embeddings import BackfillEmbeddings, KeepEmbeddingsComplete
from askdocs.application.embedding_models import EmbeddingModels
from askdocs.application.ports import Embedder, VectorIndex
from askdocs.entrypoints.settings import EmbedderSettings, EmbeddingModelSettings, SettingsError

MODEL_FIELDS = tuple(field.name for field in msgspec.structs.fields(EmbeddingModelSettings))


def model_sections(embedder: EmbedderSettings) -> list[EmbeddingModelSettings]:
    """Each configured model's section, most preferred first: the `embedder` section itself
    when `embedder.models` is empty.

    Raises:
        SettingsError: a name listed twice or without a section, a section not listed.
    """
    names = embedder.model_names
    if not names:
        if embedder.named:
            raise SettingsError(
                f"settings for embedding models not in embedder.models: {sorted(embedder.named)}"
            )
        own = {name: getattr(embedder, name) for name in MODEL_FIELDS}
        return [EmbeddingModelSettings(**own)]
    if len(set(names)) != len(names):
        raise SettingsError(f"embedder.models names a model twice: {embedder.models}")
    if missing := [name for name in names if name not in embedder.named]:
        raise SettingsError(
            f"embedding model {missing[0]} needs its section: "
            f"ASKDOCS_EMBEDDER__{missing[0].upper()}__BACKEND (and its other settings)"
        )
    if unlisted := sorted(set(embedder.named) - set(names)):
        raise SettingsError(f"settings for embedding models not in embedder.models: {unlisted}")
    return [embedder.named[name] for name in names]


def preferred_first(config: dict[str, Any], embedder: EmbedderSettings) -> dict[str, Any]:
    """The container's configuration tree with the `embedder` section's own fields set to the
    preferred model's, so the `embedder` Selector builds that one."""
    preferred = msgspec.to_builtins(model_sections(embedder)[0])
    return {**config, "embedder": {**config["embedder"], **preferred}}


def build_embedder(section: EmbeddingModelSettings) -> Embedder:
    """The adapter for one model's section (the container's `embedder` Selector, in code)."""
    if section.backend == "hashing":
        from askdocs.adapters.embeddings.hashing import HashingEmbedder

        return HashingEmbedder(dim=section.dim)
    if section.backend == "openai":
        from askdocs.adapters.embeddings.openai_embedder import OpenAIEmbedder

        return OpenAIEmbedder(
            model=section.model,
            dim=section.dim,
            base_url=section.base_url,
            api_key=section.api_key,
            timeout_s=section.timeout_s,
            send_dimensions=section.send_dimensions,
        )
    from askdocs.adapters.embeddings.onnx_embedder import OnnxEmbedder

    return OnnxEmbedder(
        model_path=section.model_path,
        tokenizer_path=section.tokenizer_path,
        model_name=section.model,
        dim=section.dim,
        max_tokens=section.max_tokens,
        threads=section.threads,
    )


def build_embedders(embedder: EmbedderSettings, preferred: Embedder) -> tuple[Embedder, ...]:
    """`preferred` (the container's `embedder`), then the other configured models in order.

    Raises:
        SettingsError: two models whose vectors would share one model id.
    """
    built = (preferred, *(build_embedder(section) for section in model_sections(embedder)[1:]))
    ids = [model.model_id for model in built]
    if len(set(ids)) != len(ids):
        raise SettingsError(f"embedder.models: two models store vectors as one model id: {ids}")
    return built


def several_models_kept_complete(
    models: EmbeddingModels, backfill: BackfillEmbeddings, index: VectorIndex, every_s: float
) -> KeepEmbeddingsComplete | None:
    """The worker's backfill of models missing live chunks; none with a single model."""
    if len(models.embedders) < 2:
        return None
    return KeepEmbeddingsComplete(models=models, backfill=backfill, index=index, every_s=every_s)
