"""FeedbackStore adapters: in process memory and PostgreSQL."""
