"""Check every relative link and anchor in Markdown files: `nox -s docs` runs it on README.md
and docs/.

    python scripts/check_doc_links.py README.md docs

A link is relative when it names no scheme (`https:`, `mailto:`): its file or folder must
exist, and its `#anchor`, in a Markdown file, must be one of the headings GitHub would make an
anchor of (or an `<a id=...>`). Links inside code (fences, backtick spans) are text, not
links. Prints one line per broken link and exits 1 if there was any.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import unquote

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(?P<text>.*?)(?:[ \t]+#+)?[ \t]*$")
_CODE_SPAN = re.compile(r"(`+)(?!`)(?:.|\n)+?(?<!`)\1(?!`)")
_INLINE_LINK = re.compile(r"\]\(\s*<?(?P<target>[^()\s<>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*<?(?P<target>\S+?)>?(?:[ \t]+.*)?$", re.M)
_HTML_ANCHOR = re.compile(r"<a\s+(?:[^>]*\s)?(?:id|name)=\"(?P<id>[^\"]+)\"", re.I)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")
_MARKUP = re.compile(r"!?\[(?P<text>[^\]]*)\]\([^)]*\)|<[^>]+>|[*`]")
"""What GitHub drops from a heading before it makes the anchor: link targets, tags, emphasis
and backticks (the text inside stays)."""


@dataclasses.dataclass(frozen=True)
class BrokenLink:
    """A link in `source`, at `line`, whose `target` does not resolve, and why."""

    source: Path
    line: int
    target: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.target}: {self.reason}"


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped but `-` and `_`,
    spaces made hyphens."""
    text = _MARKUP.sub(lambda m: m.group("text") or "", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def without_code(markdown: str) -> str:
    """`markdown` with fenced blocks and code spans blanked, lines kept where they were."""
    lines, fence = [], ""
    for line in markdown.split("\n"):
        opened = _FENCE.match(line)
        if fence:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = ""
            lines.append("")
        elif opened:
            fence = opened.group(1)
            lines.append("")
        else:
            lines.append(line)
    text = "\n".join(lines)
    return _CODE_SPAN.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def anchors(markdown: str) -> set[str]:
    """Every anchor a Markdown file offers: its headings' (numbered from -1 when a heading
    repeats, as GitHub does) and its HTML anchors."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    fence = ""
    for line in markdown.split("\n"):
        opened = _FENCE.match(line)
        if fence:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = ""
            continue
        if opened:
            fence = opened.group(1)
            continue
        heading = _HEADING.match(line)
        if heading:
            base = slug(heading.group("text"))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    found.update(match.group("id") for match in _HTML_ANCHOR.finditer(markdown))
    return found


def links(markdown: str) -> Iterator[tuple[int, str]]:
    """(line, target) of each inline link, image and reference definition outside code."""
    text = without_code(markdown)
    for pattern in (_INLINE_LINK, _REFERENCE):
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start("target")) + 1
            yield line, match.group("target")


def check_file(path: Path) -> Iterator[BrokenLink]:
    """The broken relative links of one Markdown file."""
    markdown = path.read_text(encoding="utf-8")
    for line, target in links(markdown):
        if not target or _SCHEME.match(target):
            continue
        name, _, anchor = target.partition("#")
        resolved = (path.parent / unquote(name)).resolve() if name else path.resolve()
        if not resolved.exists():
            yield BrokenLink(path, line, target, "no such file or folder")
            continue
        if anchor and resolved.suffix == ".md" and resolved.is_file():
            offered = anchors(markdown if not name else resolved.read_text(encoding="utf-8"))
            if unquote(anchor) not in offered:
                yield BrokenLink(path, line, target, f"no heading or anchor #{anchor} there")


def markdown_files(paths: Iterable[Path]) -> list[Path]:
    """The Markdown files named, and those under the folders named."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.rglob("*.md")) if path.is_dir() else [path])
    return files


def main(argv: list[str]) -> int:
    files = markdown_files(Path(arg) for arg in argv or ["README.md", "docs"])
    broken = [link for path in files for link in check_file(path)]
    for link in broken:
        print(link, file=sys.stderr)
    print(f"{len(files)} Markdown files, {len(broken)} broken relative link(s)")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
