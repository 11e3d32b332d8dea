"""What a PDF font says about the text set in it: fixed-pitch (code), bold (headings), and the
width of its characters (a code line's indentation, from where the line starts)."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

# TeX's typewriter fonts carry no FixedPitch flag (CMTT10, LMMono10, SFTT1000 all say only
# "symbolic"), so their names and their widths have to tell.
_MONO_NAME = re.compile(r"(?i:mono|courier|consol|menlo|inconsolata|typewriter)|TT\d|txtt")
_BOLD_NAME = re.compile(r"(?i:bold|black|heavy|demi|bx\d)|CMB\d|-Bd")
_FIXED_PITCH = 1
_FORCE_BOLD = 1 << 18
# A font with this many glyph widths, all one, is fixed-pitch whatever its name.
_UNIFORM_WIDTHS = 10
_DEFAULT_WIDTH_EM = 0.6  # Courier's, the standard fixed-pitch font, which has no widths array


@dataclasses.dataclass(frozen=True, slots=True)
class FontFacts:
    """`width_em`: a fixed-pitch font's character width, in ems (a share of the font size)."""

    monospace: bool = False
    bold: bool = False
    width_em: float = _DEFAULT_WIDTH_EM


PLAIN = FontFacts()


def font_facts(font: Any) -> FontFacts:
    """The facts of a pypdf font dictionary; plain text facts when it is missing or broken."""
    if not font:
        return PLAIN
    try:
        return _facts(font)
    except Exception:  # noqa: BLE001 - a broken font costs its hints, never the page's text
        return PLAIN


def _facts(font: Any) -> FontFacts:
    name = str(font.get("/BaseFont", ""))
    described = _resolved(font.get("/DescendantFonts"))
    described = _resolved(described[0]) if described else font
    descriptor = _resolved(described.get("/FontDescriptor")) or {}
    flags = int(_resolved(descriptor.get("/Flags", 0)) or 0)
    weight = float(_resolved(descriptor.get("/FontWeight", 400)) or 400)
    widths = [float(w) for w in _resolved(font.get("/Widths")) or () if float(w) > 0]
    uniform = len(widths) >= _UNIFORM_WIDTHS and max(widths) - min(widths) < 1
    monospace = bool(flags & _FIXED_PITCH or _MONO_NAME.search(name) or uniform)
    bold = bool(flags & _FORCE_BOLD or weight >= 600 or _BOLD_NAME.search(name))
    width_em = _median(widths) / 1000 if widths else _DEFAULT_WIDTH_EM
    return FontFacts(monospace=monospace, bold=bold, width_em=width_em)


def _resolved(value: Any) -> Any:
    return value.get_object() if hasattr(value, "get_object") else value


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]
