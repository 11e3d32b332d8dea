"""Properties of answer cache keys: equal exactly when nothing that shapes an answer differs."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from askdocs.domain.answers import answer_cache_key, answer_fingerprint, normalise_question
from askdocs.domain.conversations import Turn

EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
Request = dict[str, Any]
short_text = st.text(max_size=12)
turns = st.builds(
    Turn,
    question=short_text,
    answer=short_text,
    at=st.integers(min_value=0, max_value=10**6).map(lambda s: EPOCH + timedelta(seconds=s)),
)
requests = st.fixed_dictionaries(
    {
        "question": st.text(max_size=30),
        "model": st.sampled_from(["extractive", "gpt-4o-mini", "llama-3", ""]),
        "tags": st.lists(st.sampled_from(["a", "b", "hr", "ops", "a b"]), max_size=4),
        "top_k": st.integers(min_value=1, max_value=50),
        "history": st.lists(turns, max_size=3),
        "generation": st.integers(min_value=0, max_value=5),
    }
)
ascii_questions = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=40
)


def key_of(request: Request) -> str:
    """The cache key of a request: its fingerprint under its generation."""
    parts = {name: value for name, value in request.items() if name != "generation"}
    return answer_cache_key(answer_fingerprint(**parts), request["generation"])


def meaning(request: Request) -> tuple[object, ...]:
    """Everything about a request that may change its answer, in canonical form."""
    return (
        normalise_question(request["question"]),
        request["model"],
        tuple(sorted(set(request["tags"]))),
        request["top_k"],
        tuple((t.question, t.answer) for t in request["history"]),
        request["generation"],
    )


@given(requests, requests)
def test_requests_share_a_key_exactly_when_they_mean_the_same(
    first: Request, second: Request
) -> None:
    same_key = key_of(first) == key_of(second)

    assert same_key is (meaning(first) == meaning(second))


@given(requests, st.data())
def test_changing_any_one_part_changes_the_key(request: Request, data: st.DataObject) -> None:
    changed = dict(request)
    part = data.draw(st.sampled_from(["model", "tags", "top_k", "history", "generation"]))
    if part == "model":
        changed["model"] = request["model"] + "-other"
    elif part == "tags":
        changed["tags"] = [*request["tags"], "new-tag"]
    elif part == "top_k":
        changed["top_k"] = request["top_k"] + 1
    elif part == "history":
        changed["history"] = [*request["history"], Turn("q", "a", EPOCH)]
    else:
        changed["generation"] = request["generation"] + 1

    assert key_of(changed) != key_of(request)


@given(requests, ascii_questions, st.data())
def test_equivalent_questions_share_a_key(
    request: Request,
    question: str,
    data: st.DataObject,
) -> None:
    spaces = st.text(alphabet=" \t\n\r", max_size=3)
    variant = data.draw(
        st.sampled_from([question.upper(), question.lower(), question.swapcase(), question])
    )
    variant = data.draw(spaces) + variant + data.draw(st.sampled_from(["", "?", "??", " ?"]))
    variant += data.draw(spaces)

    assert key_of({**request, "question": variant}) == key_of({**request, "question": question})


@given(requests, st.randoms())
def test_tag_order_and_repetition_do_not_change_the_key(
    request: Request, rng: random.Random
) -> None:
    shuffled = [*request["tags"], *request["tags"]]
    rng.shuffle(shuffled)

    assert key_of({**request, "tags": shuffled}) == key_of(request)


@given(requests)
def test_a_key_is_the_generation_and_a_sha256_hex_digest(request: Request) -> None:
    generation, fingerprint = key_of(request).split(":")

    assert int(generation) == request["generation"]
    assert len(fingerprint) == 64
    assert set(fingerprint) <= set("0123456789abcdef")
