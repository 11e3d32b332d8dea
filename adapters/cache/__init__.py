"""AnswerCache adapters."""
