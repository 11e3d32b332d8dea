"""VectorIndex adapters."""
