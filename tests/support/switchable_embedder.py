"""An embedding model whose provider can be made to fail, and that counts what it answered."""

from __future__ import annotations

from collections.abc import Sequence

from askdocs.adapters.embeddings.hashing import HashingEmbedder
from askdocs.application.errors import UpstreamUnavailable


class SwitchableEmbedder:
    """The hashing embedder of `dim` (its own model id), failing while `down` is set."""

    def __init__(self, dim: int) -> None:
        self._real = HashingEmbedder(dim=dim)
        self.down = False
        self.questions_embedded = 0
        self.texts_embedded = 0

    @property
    def model_id(self) -> str:
        return self._real.model_id

    @property
    def dim(self) -> int:
        return self._real.dim

    async def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        self._fail_if_down()
        self.texts_embedded += len(texts)
        return await self._real.embed_documents(texts)

    async def embed_query(self, text: str) -> list[float]:
        self._fail_if_down()
        self.questions_embedded += 1
        return await self._real.embed_query(text)

    def _fail_if_down(self) -> None:
        if self.down:
            raise UpstreamUnavailable(f"embedding model {self.model_id} is down")
