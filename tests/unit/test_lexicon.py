"""Search terms: identifiers as written and by their parts, words lightly stemmed."""

from __future__ import annotations

import pytest

from askdocs.domain.lexicon import compound_parts, stem, terms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("capture_output=True", ["capture_output", "captur", "output", "true"]),
        (r"\renewcommand{\headrulewidth}{0pt}", ["renewcommand", "headrulewidth", "0pt"]),
        ("wal_level", ["wal_level", "wal", "level"]),
        ("os.path.join", ["os.path.join", "os", "path", "join"]),
        ("getLogger", ["getlogger", "get", "logger"]),
        ("r:gz", ["r:gz", "r", "gz"]),
    ],
)
def test_an_identifier_is_a_term_as_written_and_by_its_parts(
    text: str, expected: list[str]
) -> None:
    assert terms(text) == expected


def test_stop_words_are_not_terms_and_case_does_not_matter() -> None:
    assert terms("What is THE Error of it?") == ["error"]


def test_forms_of_a_word_meet_at_one_stem() -> None:
    assert {stem(w) for w in ("sorting", "sorted", "sorts", "sort")} == {"sort"}
    assert {stem(w) for w in ("deleting", "deleted", "deletes", "delete")} == {"delet"}
    assert stem("running") == "run"
    assert stem("installed") == "install"
    assert stem("tallies") == "tally"
    assert stem("class") == "class"
    assert stem("utf8") == "utf8"


@pytest.mark.parametrize(
    "words",
    [
        ("recursion", "recursive", "recursively"),
        ("compression", "compressed", "compress"),
        ("deletion", "deleted", "deleting"),
        ("automatically", "automatic"),
        ("interactively", "interactive", "interact"),
        ("configuration", "configured"),
    ],
)
def test_words_derived_from_one_another_meet_at_one_stem(words: tuple[str, ...]) -> None:
    assert len({stem(w) for w in words}) == 1


@pytest.mark.parametrize("word", ["only", "apply", "action", "total", "glob", "state"])
def test_a_short_root_keeps_its_ending(word: str) -> None:
    assert stem(word) in {word, word[:-1]}  # at most a final -e goes


def test_the_ending_of_a_contraction_is_no_term() -> None:
    # "s" from "What's" would match the stem of every plural.
    assert terms("What's the user's limit? It doesn\u2019t fit") == ["user", "limit", "fit"]


def test_a_stop_word_inside_an_identifier_is_no_part_of_it() -> None:
    assert terms("set_the_value getTheValue") == [
        "set_the_value", "set", "valu", "getthevalue", "get", "valu",
    ]  # fmt: skip


def test_compound_parts_name_the_parts_of_each_compound_term() -> None:
    assert compound_parts("a ready-made getLogger call") == {
        "ready-made": ("ready", "made"),
        "getlogger": ("get", "logger"),
    }
