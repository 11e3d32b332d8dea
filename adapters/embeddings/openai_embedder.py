"""Embedder on the `openai` SDK: OpenAI's embeddings API or any compatible server.

Vectors are normalised here (some servers return raw ones), so cosine search behaves the same
whichever server made them. Long batches go in slices of `batch_size` inputs per request.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import openai

from askdocs.adapters.chat.sdk_errors import translated_errors
from askdocs.application.errors import UpstreamUnavailable


class OpenAIEmbedder:
    """Embeddings of `model`, `dim` long, from an OpenAI-compatible `/v1/embeddings`.

    Args:
        model: the embedding model's name at the server.
        dim: the vector length; sent as `dimensions` when `send_dimensions` (models that can
            shorten their vectors), and checked on every vector returned.
        base_url: the server, `.../v1`; empty for OpenAI itself.
    """

    def __init__(
        self,
        *,
        model: str,
        dim: int,
        base_url: str,
        api_key: str,
        timeout_s: float,
        batch_size: int = 64,
        send_dimensions: bool,
    ) -> None:
        if not model:
            raise ValueError("an OpenAI embedder needs a model")
        self._model, self._dim = model, dim
        self._batch_size = batch_size
        self._send_dimensions = send_dimensions
        self._client = openai.AsyncOpenAI(
            api_key=api_key or "unused",
            base_url=base_url or None,
            timeout=timeout_s,
            max_retries=0,  # ingestion retries failed jobs itself; a request fails fast
        )

    @property
    def model_id(self) -> str:
        return f"openai:{self._model}:{self._dim}"

    @property
    def dim(self) -> int:
        return self._dim

    async def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            vectors.extend(await self._embed(list(texts[start : start + self._batch_size])))
        return vectors

    async def embed_query(self, text: str) -> list[float]:
        return (await self._embed([text]))[0]

    async def _embed(self, texts: list[str]) -> list[list[float]]:
        async with translated_errors(openai, "the embedding server"):
            response = await self._client.embeddings.create(
                model=self._model,
                input=texts,
                encoding_format="float",
                dimensions=self._dim if self._send_dimensions else openai.omit,
            )
        ordered = sorted(response.data, key=lambda item: item.index)
        if len(ordered) != len(texts):
            raise UpstreamUnavailable(
                f"the embedding server returned {len(ordered)} vectors for {len(texts)} texts"
            )
        return [self._normalised(item.embedding) for item in ordered]

    def _normalised(self, vector: Sequence[float]) -> list[float]:
        if len(vector) != self._dim:
            raise UpstreamUnavailable(
                f"the embedding server returned {len(vector)} dimensions, not {self._dim}"
            )
        norm = math.sqrt(sum(x * x for x in vector)) or 1.0
        return [x / norm for x in vector]
