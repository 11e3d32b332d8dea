"""What each embedding model costs: `nox -s bench -- --only embedders`.

The chunks of the common licences (/usr/share/common-licenses, plain text), cut as ingestion
cuts them (256-token windows), are embedded by each model installed here: the hashing
embedder, and the `local` extra's int8 all-MiniLM-L6-v2 when it imports. Printed per model:
chunks embedded a second (batches of 64, as ingestion sends them, on the threads the model
uses by default), the median time to embed one question, and the bytes a chunk's vector
takes in PostgreSQL (`pg_column_size` of `vector` and `halfvec`, as stored and as the HNSW
graph holds it), when a database is given.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from pathlib import Path

from askdocs.adapters.embeddings.hashing import HashingEmbedder
from askdocs.adapters.tokenizers import TiktokenTokenizer
from askdocs.application.ports import Embedder
from askdocs.domain.chunking import ChunkingPolicy
from askdocs.domain.structured_chunks import chunk_page
from tests.benchmarks import run

LICENCES = Path("/usr/share/common-licenses")
BATCH = 64
QUESTIONS = [
    "May I distribute modified copies of the program?",
    "What must accompany a binary distribution?",
    "Is there any warranty?",
    "How do I apply these terms to my own work?",
]


def chunk_texts(limit: int) -> list[str]:
    tokenizer = TiktokenTokenizer(encoding="cl100k_base")
    policy = ChunkingPolicy(size=256, overlap=32)
    texts: list[str] = []
    for path in sorted(p for p in LICENCES.glob("*") if p.is_file()):
        drafts, _ = chunk_page(path.read_text(errors="replace"), tokenizer.count, policy, ())
        texts.extend(draft.text for draft in drafts)
    return texts[:limit]


def models() -> dict[str, Embedder]:
    found: dict[str, Embedder] = {"hashing (384-d)": HashingEmbedder(dim=384)}
    try:
        from askdocs.adapters.embeddings.onnx_embedder import OnnxEmbedder
    except ImportError:
        run.log("the local extra is not installed: the hashing embedder only")
        return found
    found["local: all-MiniLM-L6-v2 int8 (384-d)"] = OnnxEmbedder.bundled(max_tokens=256, threads=0)
    return found


async def measure(embedder: Embedder, texts: list[str]) -> tuple[float, float]:
    await embedder.embed_documents(texts[:BATCH])  # loads the model, warms its caches
    began = time.perf_counter()
    for start in range(0, len(texts), BATCH):
        await embedder.embed_documents(texts[start : start + BATCH])
    per_second = len(texts) / (time.perf_counter() - began)
    question_s = []
    for question in QUESTIONS * 5:
        began = time.perf_counter()
        await embedder.embed_query(question)
        question_s.append(time.perf_counter() - began)
    return per_second, statistics.median(question_s) * 1000


async def vector_bytes(database_url: str, dim: int) -> tuple[int, int]:
    import asyncpg

    connection = await asyncpg.connect(database_url)
    try:
        literal = "[" + ",".join(["0.1"] * dim) + "]"
        return (
            await connection.fetchval("SELECT pg_column_size($1::text::vector)", literal),
            await connection.fetchval("SELECT pg_column_size($1::text::halfvec)", literal),
        )
    finally:
        await connection.close()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--embed-chunks",
        type=int,
        default=2000,
        help="chunks embedded per model (--only embedders)",
    )
    parser.add_argument(
        "--embed-database-url",
        default="postgresql://postgres@127.0.0.1:5432/askdocs_test",
        help="a PostgreSQL with pgvector to size vectors in (empty: skip)",
    )


def main_with(args: argparse.Namespace) -> int:
    texts = chunk_texts(args.embed_chunks)
    print(f"{len(texts)} chunks of the common licences, 256-token windows, batches of {BATCH}")
    print("| model | chunks/s | question ms (median) | bytes a vector: vector / halfvec |")
    print("|---|---:|---:|---:|")
    for label, embedder in models().items():
        per_second, question_ms = asyncio.run(measure(embedder, texts))
        sizes = "-"
        if args.embed_database_url:
            stored, graph = asyncio.run(vector_bytes(args.embed_database_url, embedder.dim))
            sizes = f"{stored:,} / {graph:,}"
        print(f"| {label} | {per_second:,.0f} | {question_ms:.2f} | {sizes} |")
    return 0
