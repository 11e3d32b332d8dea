"""ConversationStore adapters."""
