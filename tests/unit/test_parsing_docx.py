"""DOCX to page Markdown: heading styles, list paragraphs, code styles and tables."""

from __future__ import annotations

import io

import docx

from askdocs.adapters.parsing.docx import parse_docx


def docx_text(build: list[tuple[str, str]]) -> str:
    """The page text of a document of (style, text) paragraphs; style "table" adds a table."""
    document = docx.Document()
    for style, text in build:
        if style == "table":
            rows = [row.split(",") for row in text.split(";")]
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            for cells, texts in zip(table.rows, rows, strict=True):
                for cell, value in zip(cells.cells, texts, strict=True):
                    cell.text = value
        else:
            document.add_paragraph(text, style=style)
    out = io.BytesIO()
    document.save(out)
    (page,) = parse_docx(out.getvalue()).pages
    return page.text


def test_title_and_heading_styles_become_headings_as_deep_as_their_number() -> None:
    text = docx_text([("Title", "The Manual"), ("Heading 2", "Lamps"), ("Normal", "Trim.")])
    assert text == "# The Manual\n\n## Lamps\n\nTrim."


def test_list_paragraphs_become_items_on_consecutive_lines_nested_ones_indented() -> None:
    text = docx_text([("List Bullet", "Lamp"), ("List Bullet 2", "wick"), ("List Number", "Bell")])
    assert text == "- Lamp\n  - wick\n- Bell"


def test_paragraphs_in_a_code_style_are_one_fenced_block_kept_verbatim() -> None:
    document = docx.Document()
    document.add_paragraph("Run:")
    code_style = document.styles.add_style("Source Code", 1)  # 1: a paragraph style
    for line in ["def light(lamp):", "    return  lamp"]:
        document.add_paragraph(line, style=code_style)
    out = io.BytesIO()
    document.save(out)
    (page,) = parse_docx(out.getvalue()).pages
    assert page.text == "Run:\n\n```\ndef light(lamp):\n    return  lamp\n```"


def test_tables_become_bar_rows_apart_from_the_next_table() -> None:
    text = docx_text([("table", "Name,Role;Ada,first|one"), ("table", "x,y")])
    assert text == "| Name | Role |\n| Ada | first\\|one |\n\n| x | y |"
