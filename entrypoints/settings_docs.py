"""The settings tables of README.md and docs/operations.md, rendered from the `Settings` tree.

Each table sits between `<!-- settings:begin -->` and `<!-- settings:end -->`; the begin
marker may list the settings it shows (`<!-- settings:begin server database.url -->`: a
section name takes all of it). Names, types, defaults and meanings all come from the structs
and their field docstrings, so a table cannot say what the code does not do.

    python -m askdocs.entrypoints.settings_docs          # rewrite the tables
    python -m askdocs.entrypoints.settings_docs --check  # exit 1 if one is out of date
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from askdocs.entrypoints.settings import PREFIX, Settings
from askdocs.entrypoints.settings_fields import SettingField, settings_fields

DOCUMENTS = ("README.md", "docs/operations.md")
COMMAND = "python -m askdocs.entrypoints.settings_docs"
_REGION = re.compile(
    r"(?P<begin><!-- settings:begin(?P<only>[^>]*?)\s*-->\n)"
    r"(?P<table>.*?)(?P<end><!-- settings:end -->)",
    re.DOTALL,
)
_HEADER = "| variable | type | default | meaning |\n|---|---|---|---|\n"


def variable(field: SettingField) -> str:
    """`ASKDOCS_SECTION__FIELD`, `<NAME>` standing for a name the operator chooses."""
    return PREFIX + "__".join(part.upper() for part in field.path)


def render_table(only: str = "") -> str:
    """The table of every setting, or of those `only` names (dotted, space-separated)."""
    wanted = only.split()
    rows = [
        f"| `{variable(field)}` | {field.kind} | {field.shown_default} | {_cell(field.meaning)} |\n"
        for field in settings_fields(Settings)
        if not wanted or any(_selects(name, field.dotted) for name in wanted)
    ]
    return _HEADER + "".join(rows)


def _selects(name: str, dotted: str) -> bool:
    return dotted == name or dotted.startswith(name + ".")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def refreshed(document: str) -> str:
    """`document` with each settings table as the settings say it should be."""

    def table(match: re.Match[str]) -> str:
        return match["begin"] + render_table(match["only"]) + match["end"]

    return _REGION.sub(table, document)


def stale_documents(root: Path) -> list[str]:
    """The documents under `root` whose settings tables differ from what would be written."""
    stale = []
    for name in DOCUMENTS:
        text = (root / name).read_text(encoding="utf-8")
        if refreshed(text) != text:
            stale.append(name)
    return stale


def main(argv: list[str] | None = None) -> int:
    """Rewrite the tables (or only check them); exit status 1 when `--check` finds one stale."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing, exit 1 if stale")
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(__file__).resolve().parents[1],
        help="the repository holding README.md and docs/ (default: this checkout)",
    )
    args = parser.parse_args(argv)
    stale = stale_documents(args.root)
    if args.check:
        for name in stale:
            print(f"{name}: the settings table is out of date; run {COMMAND}", file=sys.stderr)
        return 1 if stale else 0
    for name in stale:
        path = args.root / name
        path.write_text(refreshed(path.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"rewrote the settings table of {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
