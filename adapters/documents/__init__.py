"""DocumentRepository adapters."""
