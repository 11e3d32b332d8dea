"""BlobStore adapters."""
