"""Fuzzing the parser: any bytes are parsed or refused with one of the two parsing errors."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from askdocs.adapters.parsing import ContentSniffingParser
from askdocs.application.errors import UnprocessableDocument, UnsupportedMediaType
from askdocs.application.ports.parsing import ParsedDocument
from tests.support.pdf import make_pdf

PARSER = ContentSniffingParser()
SAMPLE_PDF = make_pdf(["The quick brown fox", "jumps over\nthe lazy dog", "(escaped) \\ text"])
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def sniff_and_parse(data: bytes) -> ParsedDocument | None:
    try:
        parsed = PARSER.parse(data, PARSER.sniff(data, filename="upload.md"))
    except (UnsupportedMediaType, UnprocessableDocument):
        return None
    assert [p.number for p in parsed.pages] == list(range(1, len(parsed.pages) + 1))
    assert any(p.text for p in parsed.pages)
    return parsed


@st.composite
def mutated_pdfs(draw: st.DrawFn) -> bytes:
    data = bytearray(SAMPLE_PDF)
    for _ in range(draw(st.integers(1, 10))):
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "drop", "insert"]))
        if action == "flip":
            data[at] = draw(st.integers(0, 255))
        elif action == "drop":
            del data[at : at + draw(st.integers(1, 64))]
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
    cut = draw(st.integers(len(data) // 2, len(data)))
    return bytes(data[:cut])


@FUZZ
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_are_parsed_or_refused_with_a_parsing_error(data: bytes) -> None:
    sniff_and_parse(data)


@FUZZ
@given(st.text(max_size=2000).map(lambda t: ("<html><body>" + t).encode()))
def test_arbitrary_html_is_parsed_or_refused_with_a_parsing_error(data: bytes) -> None:
    sniff_and_parse(data)


@FUZZ
@given(mutated_pdfs())
def test_mutated_pdfs_are_parsed_or_refused_with_a_parsing_error(data: bytes) -> None:
    sniff_and_parse(data)
