"""The settings select the offline model as embedder and as reranker, and answers use it."""

from __future__ import annotations

import pytest

from askdocs.adapters.embeddings.onnx_embedder import OnnxEmbedder
from askdocs.adapters.reranking.embedding_reranker import EmbeddingReranker
from askdocs.application.ask_question import Question
from askdocs.application.ingest_document import Upload
from askdocs.domain.principals import Principal, Role
from askdocs.entrypoints.container import Container, build_container
from askdocs.entrypoints.settings import load_settings

EDITOR = Principal(subject="editor", role=Role.EDITOR)
PAGES = {
    "shutil.md": "# shutil.rmtree(path)\n\nDelete an entire directory tree.",
    "bread.md": "# Bread\n\nA sourdough starter is fed with flour and water every day.",
    "pans.md": "# Pans\n\nCast iron pans are dried at once so that they do not rust.",
}


@pytest.fixture
def container(local_extra: None, tmp_path) -> Container:
    return build_container(
        load_settings(
            {
                "ASKDOCS_EMBEDDER__BACKEND": "local",
                "ASKDOCS_RERANK__BACKEND": "local",
                "ASKDOCS_DOCUMENTS__BLOB_DIR": str(tmp_path),
                "ASKDOCS_METRICS__BACKEND": "noop",
                "ASKDOCS_INDEX__MIN_COVERAGE": "0",
            }
        )
    )


def test_the_local_backends_are_the_onnx_model(container: Container) -> None:
    assert isinstance(container.embedder(), OnnxEmbedder)
    assert isinstance(container.retrieve_passages().reranker, EmbeddingReranker)


async def test_a_question_in_other_words_is_answered_from_the_passage_that_means_it(
    container: Container,
) -> None:
    for name, text in PAGES.items():
        await container.ingest_document().execute(Upload(text.encode(), name, EDITOR))

    reply = await container.ask_question().execute(
        Question("How do I remove a folder together with everything inside it?", EDITOR)
    )

    assert reply.answer.sources[0].document == "shutil.md"
