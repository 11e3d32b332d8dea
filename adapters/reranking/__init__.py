"""Reranker adapters."""

from askdocs.adapters.reranking.embedding_reranker import EmbeddingReranker

__all__ = ["EmbeddingReranker"]
