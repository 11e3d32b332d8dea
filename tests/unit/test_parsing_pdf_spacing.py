"""Spaces pypdf lost between words come back from pdfium's reading of the same page."""

from __future__ import annotations

from askdocs.adapters.parsing.pdf_lines import Line
from askdocs.adapters.parsing.pdf_spacing import is_glued, respaced


def test_words_run_together_get_the_spaces_of_the_other_reading() -> None:
    lines = [Line("User nobody. Thecorrespondinggid", starts=((0, 72.0), (13, 140.0))), Line("")]

    fixed = respaced(lines, "User nobody. The corresponding gid\nrefers to")

    assert [line.text for line in fixed] == ["User nobody. The corresponding gid", ""]
    assert fixed[0].starts == ((0, 72.0), (13, 140.0))


def test_a_ligature_read_as_one_character_or_two_lines_up_and_stays_as_read() -> None:
    fixed = respaced([Line("theﬁrstlineisreadhere")], "the first line is read here")

    assert fixed[0].text == "the ﬁrst line is read here"


def test_only_spaces_are_added_and_a_different_reading_is_passed_over() -> None:
    fixed = respaced([Line("oneXYtwothree")], "one ab two three")

    assert fixed[0].text == "oneXY two three"


def test_a_run_of_text_starting_later_keeps_its_place_after_the_spaces() -> None:
    fixed = respaced([Line("abc defghi", starts=((4, 90.0),))], "abc def ghi")

    assert fixed[0].text == "abc def ghi"
    assert fixed[0].starts == ((4, 90.0),)


def test_a_page_is_glued_when_several_words_run_together() -> None:
    glued = [Line("Packagesothertherbasepasswdmustnotmodify thefilesinetcpasswdorshadow")]
    prose = [Line("Packages other than base-passwd must not modify /etc/passwd. " * 3)]

    assert is_glued(glued * 2)
    assert not is_glued(prose)
