"""HTML to page Markdown: headings, code blocks, list items and table rows, without link marks."""

from __future__ import annotations

from pathlib import Path

import pytest

from askdocs.adapters.parsing.html import html_text, parse_html
from askdocs.adapters.parsing.sections import MAX_SECTION_CHARS

PYTHON_DOCS = Path("/usr/share/doc/python3.11/html/library/subprocess.html")


def test_the_title_comes_first_as_a_heading_and_headings_are_as_deep_as_their_tag() -> None:
    markup = "<title>The  Manual</title><h1>Lamps</h1><p>Trim them.</p><h3>Wicks</h3>"
    assert html_text(markup) == "# The Manual\n\n# Lamps\n\nTrim them.\n\n### Wicks"


def test_a_pre_block_is_fenced_with_its_text_verbatim() -> None:
    markup = (
        "<p>Run:</p><pre>\n<span class='gp'>&gt;&gt;&gt; </span>def light(lamp):\n"
        "...     return  lamp &amp; oil\n\n...     # after a blank line\n</pre><p>Done.</p>"
    )
    assert html_text(markup) == (
        "Run:\n\n```\n>>> def light(lamp):\n...     return  lamp & oil\n\n"
        "...     # after a blank line\n```\n\nDone."
    )


def test_list_items_are_dash_or_numbered_lines_and_nested_ones_are_indented() -> None:
    markup = (
        "<ul><li><p>Lamp</p><ul><li>wick</li><li>oil</li></ul></li><li>Bell</li></ul>"
        "<ol start='3'><li>Climb</li><li>Light</li></ol>"
    )
    assert html_text(markup) == "- Lamp\n  - wick\n  - oil\n- Bell\n\n3. Climb\n4. Light"


def test_table_rows_are_bar_lines_with_a_bar_in_a_cell_escaped() -> None:
    markup = (
        "<table><thead><tr><th><p>Operator</p></th><th>Means</th></tr></thead>"
        "<tr><td><code>a|b</code></td><td>either <em>a</em>, or b</td></tr></table>"
    )
    assert html_text(markup) == "| Operator | Means |\n| a\\|b | either a, or b |"


def test_a_table_laying_out_a_page_gives_its_cells_as_paragraphs() -> None:
    text = "The keeper climbs the stairs. " * 40
    markup = f"<table><tr><td>Menu</td><td><p>{text}</p></td></tr></table>"
    assert html_text(markup) == f"Menu\n\n{text.strip()}"


@pytest.mark.parametrize(
    "anchor",
    [
        '<a class="headerlink" href="#lamps" title="Link to this heading">¶</a>',
        '<a class="headerlink" href="#lamps">Permalink</a>',
        '<a href="#lamps">#</a>',
        '<a href="#lamps">§</a>',
        '<a href="#lamps" aria-hidden="true">🔗</a>',
    ],
)
def test_header_link_marks_are_dropped(anchor: str) -> None:
    assert html_text(f"<h2>Lamps{anchor}</h2><p>See <a href='#wicks'>wicks</a>.</p>") == (
        "## Lamps\n\nSee wicks."
    )


def test_stray_pilcrows_are_dropped_outside_code() -> None:
    assert html_text("<p>¶ Trim the wick.¶</p><pre>a ¶ b</pre>") == (
        "Trim the wick.\n\n```\na ¶ b\n```"
    )


def test_a_code_block_with_blank_lines_is_never_cut_between_sections() -> None:
    code = "\n\n".join(f"def step_{n}():\n    return {n}" for n in range(60))
    prose = "".join(f"<p>Paragraph {n} of the keeper's log, read aloud.</p>" for n in range(80))
    pages = parse_html(f"<body>{prose}<pre>{code}</pre>{prose}</body>".encode()).pages
    assert len(pages) > 1
    holding = [page.text for page in pages if "def step_0" in page.text]
    assert len(holding) == 1
    assert f"```\n{code}\n```" in holding[0]
    assert all(page.text.count("```") % 2 == 0 for page in pages)


def test_a_code_block_longer_than_a_section_is_cut_at_lines_each_part_fenced() -> None:
    lines = [f"log.write('entry {n}')" for n in range(400)]
    pages = parse_html(f"<pre>{chr(10).join(lines)}</pre>".encode()).pages
    assert len(pages) > 1
    assert all(len(page.text) <= MAX_SECTION_CHARS for page in pages)
    parts = [page.text.removeprefix("```\n").removesuffix("\n```") for page in pages]
    assert all(page.text.startswith("```\n") and page.text.endswith("\n```") for page in pages)
    assert "\n".join(parts).split("\n") == lines


@pytest.mark.skipif(not PYTHON_DOCS.exists(), reason="Debian's python3.11-doc is not installed")
def test_the_python_subprocess_page_keeps_its_examples_in_code_and_shows_no_pilcrow() -> None:
    text = html_text(PYTHON_DOCS.read_text())
    assert "¶" not in text
    assert text.startswith("# subprocess — Subprocess management")
    assert "\n## Using the subprocess Module\n" in text
    example = '>>> subprocess.run(["ls", "-l", "/dev/null"], capture_output=True)'
    block = next(b for b in text.split("\n```\n") if example in b)
    assert block.count("\n>>> ") >= 2  # the whole example, prompts and output, in one block


def test_a_definition_term_heads_its_definition_one_level_below_its_section() -> None:
    markup = (
        "<h2>Functions</h2><dl class='py function'><dt id='textwrap.dedent'>"
        "textwrap.dedent(text)<a class='headerlink' href='#textwrap.dedent'>¶</a></dt>"
        "<dd><p>Remove any common leading whitespace.</p></dd></dl>"
    )

    assert html_text(markup) == (
        "## Functions\n\n### textwrap.dedent(text)\n\nRemove any common leading whitespace."
    )


@pytest.mark.skipif(not PYTHON_DOCS.exists(), reason="Debian's python3.11-doc is not installed")
def test_libxml2_and_the_standard_library_parser_give_the_same_markdown_of_a_real_page() -> None:
    markup = PYTHON_DOCS.read_text()
    assert html_text(markup) == html_text(markup, libxml2=False)


def test_a_definition_left_open_ends_where_the_next_begins_as_in_a_browser() -> None:
    markup = "<h2>Terms</h2><dl><dt>wick<dd>The cord that burns.<dt>oil<dd>What it burns.</dl>"
    assert html_text(markup) == (
        "## Terms\n\n### wick\n\nThe cord that burns.\n\n### oil\n\nWhat it burns."
    )


@pytest.mark.parametrize("libxml2", [True, False], ids=["libxml2", "html.parser"])
def test_both_readers_keep_headings_code_lists_and_tables(libxml2: bool) -> None:
    markup = (
        "<nav><a href='/'>Home</a></nav><h1>Lamps</h1><p>Trim &amp; light.</p>"
        "<pre>\nlight(lamp)\n</pre><ul><li>wick</li><li>oil</li></ul>"
        "<table><tr><th>Part</th><th>Cost</th></tr><tr><td>wick</td><td>2</td></tr></table>"
        "<script>hidden()</script>"
    )
    assert html_text(markup, libxml2=libxml2) == (
        "Home\n\n# Lamps\n\nTrim & light.\n\n```\nlight(lamp)\n```\n\n- wick\n- oil\n\n"
        "| Part | Cost |\n| wick | 2 |"
    )
