"""The peer's server: FastAPI, a cachetools answer cache, a LlamaIndex query engine, a stub LLM.

`python tests/benchmarks/peer/app.py`, in the peer's own virtualenv (requirements.txt here;
never askdocs' environment), serves `POST /api/v1/chat {"question": ...}` on
127.0.0.1:PEER_PORT over the table that ingest.py filled. The answer is what a LlamaIndex
query engine makes with MockLLM, a fixed short text returned at once, so what is measured is
the framework, the cache, the embedding and the pgvector search. The X-API-Key header askdocs
needs is accepted and ignored. stack.py beside it is imported as a sibling script.
"""

from __future__ import annotations

import os
from typing import Any

import uvicorn
from cachetools import TTLCache
from fastapi import FastAPI
from llama_index.core import Settings, VectorStoreIndex
from llama_index.core.llms import MockLLM
from pydantic import BaseModel
from stack import HashingEmbedding, store

TOP_K = 5
ANSWER_TOKENS = 16
CACHE_ENTRIES = 10_000
CACHE_TTL_S = 3600


class Question(BaseModel):
    question: str


Settings.llm = MockLLM(max_tokens=ANSWER_TOKENS)
Settings.embed_model = HashingEmbedding()
engine = VectorStoreIndex.from_vector_store(store()).as_query_engine(similarity_top_k=TOP_K)
answers: TTLCache[str, dict[str, Any]] = TTLCache(maxsize=CACHE_ENTRIES, ttl=CACHE_TTL_S)
app = FastAPI()


@app.post("/api/v1/chat")
async def chat(body: Question) -> dict[str, Any]:
    cached = answers.get(body.question)
    if cached is not None:
        return cached
    response = await engine.aquery(body.question)
    reply = {
        "answer": str(response),
        "sources": [
            {"document": node.metadata.get("file_name"), "score": node.score}
            for node in response.source_nodes
        ],
    }
    answers[body.question] = reply
    return reply


@app.get("/health/live")
async def live() -> dict[str, str]:
    return {"status": "ok"}


if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(os.environ["PEER_PORT"]),
        log_level="warning",
        access_log=False,
    )
