"""Contract of the Tokenizer on tiktoken's cl100k_base, loaded offline."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import tiktoken.registry
from hypothesis import given
from hypothesis import strategies as st

from askdocs.adapters.tokenizers import TiktokenTokenizer
from askdocs.application.ports.parsing import Tokenizer
from tests.support.settings_wiring import from_settings

TOKENIZER: Tokenizer = from_settings(TiktokenTokenizer)


def test_hello_world_has_the_cl100k_base_ids() -> None:
    assert TOKENIZER.encode("hello world") == [15339, 1917]
    assert TOKENIZER.name == "cl100k_base"


@given(st.text())
def test_decoding_the_encoding_gives_back_the_text(text: str) -> None:
    assert TOKENIZER.decode(TOKENIZER.encode(text)) == text


@given(st.text())
def test_count_is_the_number_of_tokens(text: str) -> None:
    assert TOKENIZER.count(text) == len(TOKENIZER.encode(text))


def test_special_token_text_in_user_input_is_ordinary_text() -> None:
    tokens = TOKENIZER.encode("say <|endoftext|> now")
    assert 100257 not in tokens
    assert TOKENIZER.decode(tokens) == "say <|endoftext|> now"


def test_the_encoding_loads_with_an_empty_cache_and_no_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("the network is off in this test")

    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    assert from_settings(TiktokenTokenizer).encode("hello world") == [15339, 1917]


def test_an_unknown_encoding_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown tiktoken encoding 'no_such_encoding'"):
        TiktokenTokenizer("no_such_encoding")
