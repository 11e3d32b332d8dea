"""ChatModel adapters."""
