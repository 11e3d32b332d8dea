"""PDF page text cleanup: each rule shown on a small real PDF, text in and page text out."""

from __future__ import annotations

import textwrap

from askdocs.adapters.parsing.pdf import parse_pdf
from tests.support.pdf import Page, PdfLine, make_pdf

# Wrapped at 70 characters: seven lines, the last one short.
LOREM = (
    "The keeper of the lighthouse climbs the stairs every evening, trims the wick, polishes "
    "the lens and writes the state of the wind and the sea in the log that the board reads "
    "once a year, when the supply ship brings oil, flour and the letters of the winter. "
    "On stormy nights the keeper stays awake until dawn and rings the bell every minute, so "
    "that the fishing boats coming home find the harbour mouth in the fog. All of them do."
)


KEEPERS = ["Ada", "Brendan", "Cora", "Dermot", "Eileen", "Fergus", "Grainne", "Hugh"] * 2


def story(keeper: str) -> list[str]:
    """LOREM told of one keeper, named every few words: no line of it is on another page."""
    words = LOREM.split()
    return wrapped(" ".join(f"{w} ({keeper})" if n % 6 == 5 else w for n, w in enumerate(words)))


def page_texts(pages: list[Page], **options: bool) -> list[str]:
    return [page.text for page in parse_pdf(make_pdf(pages, **options)).pages]


def wrapped(text: str = LOREM, width: int = 70) -> list[str]:
    return textwrap.wrap(text, width)


def test_a_header_and_a_footer_on_most_pages_are_dropped_numbers_and_all() -> None:
    pages: list[Page] = [
        ["The Keeper's Manual", *story(KEEPERS[n]), f"Page {n + 1} of 5"] for n in range(5)
    ]
    texts = page_texts(pages)
    assert texts == [" ".join(story(KEEPERS[n])) for n in range(5)]


def test_a_header_of_each_chapter_is_dropped_where_that_chapter_runs() -> None:
    pages: list[Page] = [
        [f"Chapter {1 + n // 4}: On duty {n + 1}", *story(KEEPERS[n])] for n in range(8)
    ]
    assert page_texts(pages) == [" ".join(story(KEEPERS[n])) for n in range(8)]


def test_a_line_repeated_on_fewer_than_four_pages_is_kept() -> None:
    pages: list[Page] = [["The Keeper's Manual", *story(KEEPERS[n])] for n in range(3)]
    assert all(text.startswith("The Keeper's Manual") for text in page_texts(pages))


def test_a_line_at_the_top_of_a_few_scattered_pages_is_kept() -> None:
    pages: list[Page] = [
        ["Rules of the watch" if n in (0, 5, 11) else f"Notes {n}", *story(KEEPERS[n])]
        for n in range(12)
    ]
    assert sum(text.startswith("Rules of the watch") for text in page_texts(pages)) == 3


def test_bare_page_numbers_at_the_bottom_are_dropped() -> None:
    pages: list[Page] = [[*story(KEEPERS[n]), str(n + 3)] for n in range(6)]
    assert page_texts(pages) == [" ".join(story(KEEPERS[n])) for n in range(6)]


def test_a_document_of_nothing_but_repeated_lines_keeps_them() -> None:
    pages: list[Page] = [["Test sheet header", f"Page {n}", "Test sheet footer"] for n in range(5)]
    assert page_texts(pages)[0] == "Test sheet header\nPage 0\nTest sheet footer"


def test_dot_leaders_of_a_table_of_contents_are_cut_to_one_space() -> None:
    toc = ["Introduction . . . . . . . . . . 5", "Intro.......9", "The lamp \u2026\u2026\u2026 12"]
    assert page_texts([[PdfLine(line) for line in toc]]) == ["Introduction 5\nIntro 9\nThe lamp 12"]


def test_a_word_hyphenated_at_the_end_of_a_line_is_joined() -> None:
    lines = ["the lamp is an exam-", "ple of care", "in the year 2019-", "August"]
    assert page_texts([lines]) == ["the lamp is an example of care\nin the year 2019-\nAugust"]


def test_prose_lines_are_reflowed_into_paragraphs_ending_at_a_short_line() -> None:
    first, second = wrapped(LOREM), wrapped("Then the keeper sleeps. " + LOREM)
    (text,) = page_texts([[*first, *second]])
    assert text == f"{LOREM}\n\nThen the keeper sleeps. {LOREM}"


def test_a_line_indented_past_the_one_above_starts_a_paragraph() -> None:
    first = wrapped()[:-1]  # every line a full one, so that only the indent can tell
    second = wrapped()
    lines: list[str | PdfLine] = [*first, PdfLine(second[0], x=90), *second[1:]]
    (text,) = page_texts([lines])
    assert text.split("\n\n") == [" ".join(first), LOREM]


def test_a_list_item_takes_its_wrapped_lines_and_ends_the_paragraph_above() -> None:
    item = wrapped("The lamp must be lit at dusk and kept burning until dawn, whatever the sky.")
    lines: list[str | PdfLine] = [
        *wrapped(),
        PdfLine("\u2022 " + item[0]),
        PdfLine(item[1], x=84),
        "2) Log the wind.",
    ]
    (text,) = page_texts([lines])
    assert text.split("\n") == [
        LOREM,
        "",
        "- The lamp must be lit at dusk and kept burning until dawn, whatever the sky.",
        "2. Log the wind.",
    ]


def test_numbered_headings_set_larger_become_headings_as_deep_as_their_number() -> None:
    lines: list[str | PdfLine] = [
        PdfLine("3 Basic Features", font="bold", size=17),
        *wrapped(),
        PdfLine("3.1.2 Quoting", font="bold", size=12),
        *wrapped(),
    ]
    (text,) = page_texts([lines])
    assert text.split("\n\n") == ["# 3 Basic Features", LOREM, "### 3.1.2 Quoting", LOREM]


def test_a_table_of_contents_entry_in_bold_is_not_a_heading() -> None:
    (text,) = page_texts([[PdfLine("1 Introduction . . . . 1", font="bold"), *wrapped()]])
    assert text.startswith("1 Introduction 1\n")


def test_lines_in_a_fixed_pitch_font_are_one_fenced_block_kept_as_set() -> None:
    code = [
        PdfLine("def light(lamp):", font="mono"),
        PdfLine("if lamp.oil_left() > 0:   # the wick is trimmed", font="mono", x=72 + 4 * 7.2),
        PdfLine("lamp.strike(match=True, times=2, wait_seconds=10.5)", font="mono", x=72 + 8 * 7.2),
        PdfLine("return lamp", font="mono", x=72 + 4 * 7.2),
    ]
    (text,) = page_texts([[*wrapped(), *code, *wrapped()]])
    assert text.split("\n\n")[1] == (
        "```\n"
        "def light(lamp):\n"
        "    if lamp.oil_left() > 0:   # the wick is trimmed\n"
        "        lamp.strike(match=True, times=2, wait_seconds=10.5)\n"
        "    return lamp\n"
        "```"
    )


def test_a_code_block_is_never_reflowed_split_or_dehyphenated() -> None:
    code = [
        PdfLine(f"log.write(entry_{n}, wind='north-', sea='calm')  # a long line", font="mono")
        for n in range(30)
    ]
    code.insert(15, PdfLine("--", font="mono"))
    (text,) = page_texts([[*wrapped(), *wrapped(), *code]])
    assert text.count("```") == 2
    fenced = text.split("```\n", 1)[1].removesuffix("\n```").split("\n")
    assert fenced == [line.text for line in code]


def test_line_numbers_in_front_of_a_listing_are_removed() -> None:
    listing = ["def light(lamp):", "    lamp.strike()", "    return lamp"]
    lines = [PdfLine(f"{n} {line}", font="mono") for n, line in enumerate(listing, start=1)]
    (text,) = page_texts([[*wrapped(), *lines]])
    assert text.endswith("```\ndef light(lamp):\nlamp.strike()\nreturn lamp\n```")


def test_line_numbers_going_on_from_an_earlier_page_are_removed_around_prose() -> None:
    lines: list[str | PdfLine] = [
        PdfLine("315 \\message{parameters,}", font="mono"),
        PdfLine("316 \\pretolerance=100", font="mono"),
        "All parameters are zero except where noted.",
        PdfLine("317 \\tolerance=200 % INITEX sets this to 10000", font="mono"),
    ]
    (text,) = page_texts([[*wrapped(), *lines]])
    assert "315" not in text
    assert "317" not in text
    assert "\\tolerance=200 % INITEX sets this to 10000\n```" in text


def test_numbered_lines_of_a_table_of_contents_keep_their_numbers() -> None:
    toc = [
        "1 Introduction . . . . 1",
        "1.1 Scope . . . . 2",
        "2 Usage . . . . 3",
        "3 Index . . . . 5",
    ]
    (text,) = page_texts([[*toc, *wrapped()]])
    assert text.split("\n\n")[:4] == ["1 Introduction 1", "1.1 Scope 2", "2 Usage 3", "3 Index 5"]


def test_pages_keep_their_numbers_when_cleanup_empties_one() -> None:
    pages: list[Page] = [["The Keeper's Manual", *story(KEEPERS[n])] for n in range(5)]
    pages.insert(2, ["The Keeper's Manual"])
    expected = [" ".join(story(KEEPERS[n])) for n in range(5)]
    expected.insert(2, "")
    parsed = parse_pdf(make_pdf(pages))
    assert [(p.number, p.text) for p in parsed.pages] == list(enumerate(expected, start=1))


def test_a_word_hyphenated_at_the_foot_of_a_page_stays_on_its_page() -> None:
    texts = page_texts(
        [[*wrapped(), "the keeper writes an exam-"], ["ple of the log", *story("Ada")]]
    )
    assert texts[0].endswith("an exam-")
    assert texts[1].startswith("ple of the log")


def test_without_fonts_a_prose_line_starting_like_a_comment_stays_prose() -> None:
    lines = ["The keeper lights the lamp on ninety", "% of the nights, and the moon does the rest."]
    (text,) = page_texts(["\n".join(lines)], pypdf_unreadable=True)
    assert text == "\n".join(lines)
