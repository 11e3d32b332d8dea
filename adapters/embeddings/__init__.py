"""Embedder adapters."""

from askdocs.adapters.embeddings.hashing import HashingEmbedder

__all__ = ["HashingEmbedder"]
