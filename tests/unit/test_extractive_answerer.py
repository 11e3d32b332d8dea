"""The extractive answerer quotes the evidence that covers the question, or says there is none."""

from __future__ import annotations

from askdocs.adapters.chat.extractive import ExtractiveChatModel
from askdocs.application.ports import ChatRequest
from askdocs.domain.answers import NOT_ANSWERED, Passage, with_sources
from askdocs.domain.evidence import question_weights, units_of
from askdocs.domain.text_blocks import BlockKind

API_ENTRY = """## textwrap.dedent(text)

Remove any common leading whitespace from every line in text.

This can be used to make triple-quoted strings line up with the left edge of the display."""

VENV = """## Creating virtual environments

Creation of virtual environments is done by executing the command venv:

```
python -m venv /path/to/new/virtual/environment
```

Running this command creates the target directory."""


def passage(text: str, *, section: str = "", document: str = "manual.html") -> Passage:
    return Passage("c1", "d1", document, 1, None, text, 0.5, section=section)


async def answer(question: str, *passages: Passage):
    request = ChatRequest(question=question, passages=passages)
    return await ExtractiveChatModel(model="extractive").complete(request)


async def test_a_sentence_is_quoted_with_the_heading_that_says_what_it_is_about() -> None:
    completion = await answer(
        "How do I strip the common leading whitespace from every line of a text?",
        passage(API_ENTRY),
    )

    assert completion.answered
    assert completion.text.startswith("textwrap.dedent(text): Remove any common leading")
    assert completion.text.endswith("[1]")


async def test_a_sentence_introducing_a_command_brings_the_command() -> None:
    completion = await answer(
        "How are virtual environments created?", passage("Unrelated words here."), passage(VENV)
    )

    assert "\n```\npython -m venv /path/to/new/virtual/environment\n```" in completion.text
    assert completion.cited == (2,)


async def test_the_quote_offsets_point_at_the_quoted_text_in_the_passage() -> None:
    source = passage(API_ENTRY)
    completion = await answer("What removes common leading whitespace?", source)

    _, sources = with_sources(completion, (source,))

    start, end = sources[0].quote or (0, 0)
    assert source.text[start:end] == "Remove any common leading whitespace from every line in text."


async def test_a_question_the_passages_do_not_cover_is_not_answered_and_lists_them() -> None:
    completion = await answer(
        "What is the weather in Paris tomorrow?",
        passage(API_ENTRY, document="textwrap.html"),
        passage(VENV, document="venv.html"),
    )

    assert not completion.answered
    assert completion.text.startswith(NOT_ANSWERED)
    assert "textwrap.html [1]" in completion.text
    assert completion.cited == (1, 2)


async def test_a_greeting_is_not_answered() -> None:
    completion = await answer("hi", passage(API_ENTRY))

    assert not completion.answered


def test_units_are_sentences_items_and_code_lines_with_their_heading() -> None:
    units = units_of(1, VENV + "\n\n- one item. With two sentences.", section="Tutorial")

    assert [(u.kind, u.text) for u in units] == [
        (
            BlockKind.PARAGRAPH,
            "Creation of virtual environments is done by executing the command venv:",
        ),
        (BlockKind.CODE, "python -m venv /path/to/new/virtual/environment"),
        (BlockKind.PARAGRAPH, "Running this command creates the target directory."),
        (BlockKind.LIST_ITEM, "- one item. With two sentences."),
    ]
    assert {u.heading for u in units} == {"Creating virtual environments"}
    assert all(VENV[u.start : u.end] == u.text for u in units[:3])


def test_sentences_do_not_end_at_abbreviations() -> None:
    units = units_of(1, "Use a tool, e.g. the shell. Then stop.")

    assert [u.text for u in units] == ["Use a tool, e.g. the shell.", "Then stop."]


def test_a_question_term_no_unit_holds_weighs_most() -> None:
    units = units_of(1, "The cache is cleared. The cache grows. The size is bounded.")

    weights = question_weights("cache size zanzibar", units)

    assert weights.terms["zanzibar"] > weights.terms["size"] > weights.terms["cach"]


async def test_a_short_term_line_heads_the_description_after_it() -> None:
    manual = "Command line options\n\n--max-ppsize=N\n\nSpecify the maximum size of the stack."

    completion = await answer("How do I set the maximum size of the stack?", passage(manual))

    assert completion.text.startswith("--max-ppsize=N: Specify the maximum size of the stack.")


async def test_a_question_asking_for_a_name_prefers_the_sentence_holding_one() -> None:
    # Four sentences cover the question alike; only three are quoted.
    manual = " ".join(
        [
            *(
                f"Short records are padded with empty fields in mode {n}."
                for n in ("one", "two", "three")
            ),
            "Short records are padded with empty fields by fill=TRUE.",
        ]
    )

    completion = await answer("Which option pads short records with empty fields?", passage(manual))

    assert "fill=TRUE" in completion.text
    assert completion.text.count("Short records") == 3


async def test_an_unfinished_sentence_followed_by_code_brings_the_code() -> None:
    manual = "## Using R\n\nTo quit the R program the command is\n\n```\n> q()\n```\n\nBye."

    completion = await answer("How do I quit the R program?", passage(manual))

    assert "To quit the R program the command is\n```\n> q()\n```" in completion.text


def test_a_name_alone_as_code_heads_what_follows_and_names_in_a_row_head_it_together() -> None:
    manual = "Options\n\n```\n--separate-windows\n```\n\n--separate\n\nSeparate the windows."

    units = units_of(1, manual)

    assert units[-1].heading == "--separate-windows, --separate"


def test_a_label_of_a_word_or_two_ending_with_a_colon_heads_what_follows() -> None:
    units = units_of(1, "UID classes\n\n65534:\n\nUser nobody.\n\nTo allocate one, run:")

    assert [(u.heading, u.text) for u in units][2:] == [
        ("65534", "User nobody."),
        ("65534", "To allocate one, run:"),
    ]


async def test_the_short_sentence_after_the_best_one_is_quoted_too() -> None:
    manual = (
        "Problem line. There is one problem line per data file. It reads p cnf VARS CLAUSES."
        "\n\nComments start with c."
    )

    completion = await answer("What does the problem line look like?", passage(manual))

    assert completion.text.startswith(
        "Problem line. There is one problem line per data file. It reads p cnf VARS CLAUSES."
    )
    assert "Comments" not in completion.text


async def test_the_next_paragraph_is_not_quoted_as_a_sequel_unless_introduced() -> None:
    guide = (
        "# Parking\n\nParking permits cost forty euros per month and are sold at the front "
        "desk.\n\nThe observatory opens at nine."
    )
    steps = "To renew a permit, bring:\n\nYour old permit and a photo."

    plain = await answer("How much does a parking permit cost?", passage(guide))
    introduced = await answer("What do I bring to renew a permit?", passage(steps))

    assert plain.text == (
        "Parking permits cost forty euros per month and are sold at the front desk. [1]"
    )
    assert "Your old permit and a photo." in introduced.text


async def test_a_second_quote_covers_what_the_first_leaves_out() -> None:
    # Three sentences say "largest elements", as well as each other; only the next passage
    # says whether they come sorted. The three best on their own would not answer that.
    first = (
        "It finds the largest elements. The largest elements may repeat. "
        "Only the largest elements are kept."
    )
    second = "The result is sorted in descending order."
    completion = await answer(
        "Are the largest elements returned sorted?", passage(first), passage(second)
    )

    assert completion.answered
    assert "sorted in descending order" in completion.text
    assert completion.cited == (1, 2)


async def test_a_sentence_is_scored_with_the_command_it_introduces() -> None:
    # Three sentences say as much as the one introducing the command; the command says the
    # rest of the question ("HTTP").
    other = (
        "The handler serves files from the current directory. "
        "A server serves the files of the current directory and below. "
        "Files are served relative to the current directory."
    )
    serve = """## Command line

Similar to the previous example, this serves files in the current directory:

```
python -m http.server
```"""
    completion = await answer(
        "How do I serve files over HTTP from the current directory?", passage(other), passage(serve)
    )

    assert "\n```\npython -m http.server\n```" in completion.text


async def test_a_sentence_two_chunks_repeat_is_quoted_where_its_code_follows() -> None:
    intro = "To list every installed package with its version, run:"
    ending = f"Packages are installed per environment. {intro}"
    starting = f"{intro}\n\n```\npython -m pip freeze\n```"
    completion = await answer(
        "How do I list every installed package with its version?",
        passage(ending),
        passage(starting),
    )

    assert completion.text.count(intro) == 1
    assert "python -m pip freeze" in completion.text
    assert completion.cited == (2,)


def test_a_unit_holding_every_part_of_a_compound_holds_the_compound() -> None:
    row, number = units_of(1, "| 'r:gz' | Open for reading gzip compressed data. |\n\n0 to 1.")
    weights = question_weights("Which mode reads gzip-compressed data?", [row])
    decimals = question_weights("Is 0.1 stored exactly?", [number])

    assert "gzip-compressed" in weights.held_by(row)
    assert "0.1" not in decimals.held_by(number)  # a number is not its digits apart


async def test_an_example_right_after_a_quoted_sentence_is_quoted_with_it() -> None:
    entry = """## ord(c)

Given a string representing one Unicode character, return an integer representing the
Unicode code point of that character. For example, ord('a') returns 97.
This is the inverse of chr()."""
    completion = await answer(
        "How do I get the integer code point of a character?",
        passage("Each character has a code point, an integer, that chr() takes."),  # the best
        passage(entry),
    )

    assert "For example, ord('a') returns 97." in completion.text
    assert "inverse" not in completion.text


async def test_a_quoted_docstring_line_brings_the_code_it_documents() -> None:
    recipes = """## Searching sorted lists

```
def find_le(a, x):
    'Find rightmost value less than or equal to x'
    i = bisect_right(a, x)
    return a[i - 1]
```"""
    completion = await answer(
        "How do I find the rightmost value less than or equal to x?", passage(recipes)
    )

    assert "def find_le(a, x):" in completion.text
    assert "i = bisect_right(a, x)" in completion.text
