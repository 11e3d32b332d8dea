"""Fixtures of the contract suites that several of them share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.fake_llm import FakeLLM


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeLLM]:
    """A local OpenAI-compatible server taking the key `sk-test`, one per test module."""
    with FakeLLM.running(api_key="sk-test") as running:
        yield running
