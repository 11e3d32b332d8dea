"""The settings tables of README.md and docs/operations.md say what the settings structs say."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from askdocs.entrypoints.settings_docs import COMMAND, DOCUMENTS, main, refreshed, render_table
from askdocs.entrypoints.settings_fields import settings_fields

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_the_settings_table_is_what_the_generator_writes(name: str) -> None:
    text = (ROOT / name).read_text(encoding="utf-8")
    assert "<!-- settings:begin" in text, f"{name} has lost its settings table markers"
    assert refreshed(text) == text, f"{name}: the settings table is out of date; run {COMMAND}"


def test_the_full_table_names_each_setting_with_its_variable_default_and_docstring() -> None:
    table = render_table()
    assert (
        "| `ASKDOCS_INDEX__VECTOR_WEIGHT` | number | `0.25` | Weight of the vector ranking in "
        "fusion (lexical hashing vectors earn less than BM25). |"
    ) in table
    assert "| `ASKDOCS_SERVER__PORT` | integer 1..65535 | `8000` |" in table
    assert "| `ASKDOCS_LLM__<NAME>__MODELS` | text | empty |" in table
    assert "| `ASKDOCS_RATE_LIMIT__EDITOR__WRITES_PER_WINDOW` | integer | `10000` |" in table


def test_a_table_may_show_chosen_settings_and_whole_sections() -> None:
    rows = render_table("server.port log").splitlines()[2:]
    assert [row.split(" | ")[0] for row in rows] == [
        "| `ASKDOCS_SERVER__PORT`",
        "| `ASKDOCS_LOG__LEVEL`",
        "| `ASKDOCS_LOG__JSON`",
        "| `ASKDOCS_LOG__FILE`",
        "| `ASKDOCS_LOG__MAX_BYTES`",
        "| `ASKDOCS_LOG__BACKUPS`",
    ]


def test_a_stale_table_is_rewritten_and_text_around_it_is_kept(tmp_path: Path) -> None:
    for name in DOCUMENTS:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(
            "# Intro\n<!-- settings:begin log.level -->\n| old | table |\n<!-- settings:end -->\n"
            "after\n",
            encoding="utf-8",
        )
    assert main(["--check", "--root", str(tmp_path)]) == 1
    assert main(["--root", str(tmp_path)]) == 0
    assert main(["--check", "--root", str(tmp_path)]) == 0
    text = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert text.startswith("# Intro\n<!-- settings:begin log.level -->\n| variable |")
    assert "| `ASKDOCS_LOG__LEVEL` | text | `INFO` | Lowest level logged. |\n" in text
    assert text.endswith("<!-- settings:end -->\nafter\n")


class Undocumented(msgspec.Struct, kw_only=True):
    documented: int = 1
    """Says what it does."""
    silent: int = 2


def test_a_setting_without_a_docstring_cannot_be_rendered() -> None:
    with pytest.raises(ValueError, match="silent has no docstring"):
        settings_fields(Undocumented)
