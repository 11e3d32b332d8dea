"""Tokenizer adapters."""

from askdocs.adapters.tokenizers.tiktoken_tokenizer import TiktokenTokenizer

__all__ = ["TiktokenTokenizer"]
