"""ApiKeyStore adapters."""
