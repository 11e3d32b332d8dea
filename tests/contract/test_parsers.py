"""Contract of the DocumentParser: types judged from bytes, pages numbered from 1."""

from __future__ import annotations

import random

import pytest

from askdocs.adapters.parsing import ContentSniffingParser
from askdocs.application.errors import UnprocessableDocument, UnsupportedMediaType
from askdocs.application.ports.parsing import DocumentParser
from tests.support.pdf import make_encrypted_pdf, make_pdf

PDF = "application/pdf"
DOCX_ZIP = (
    b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 16 + b"word/document.xml" + b"\x00" * 40
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32


@pytest.fixture
def parser() -> DocumentParser:
    return ContentSniffingParser()


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (make_pdf(["hello"]), "report.txt", PDF),
        (b"<!DOCTYPE html><p>hi</p>", "report.pdf", "text/html"),
        (b"\n  <HTML lang='en'><body>hi</body></HTML>", None, "text/html"),
        (b"intro\n<body>hi</body>", None, "text/html"),
        (b"# Title\n\nbody", None, "text/markdown"),
        (b"plain words", "notes.md", "text/markdown"),
        (b"plain words", "notes.MARKDOWN", "text/markdown"),
        (b"plain words\n#hashtag", "notes.txt", "text/plain"),
        ("caf\u00e9".encode("utf-16"), None, "text/plain"),
        (b"\xef\xbb\xbfplain", None, "text/plain"),
    ],
)
def test_the_media_type_is_judged_from_the_bytes(
    parser: DocumentParser, data: bytes, filename: str | None, expected: str
) -> None:
    assert parser.sniff(data, filename=filename) == expected


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (PNG, "PNG"),
        (DOCX_ZIP, "DOCX"),
        (b"PK\x03\x04other.bin", "zip"),
        (b"\x1f\x8b\x08\x00", "gzip"),
        (b"text with a \x00 NUL", "binary"),
        (b"caf\xe9 in latin-1, not UTF-8", "binary"),
    ],
)
def test_binary_and_docx_files_are_unsupported_media(
    parser: DocumentParser, data: bytes, detail: str
) -> None:
    with pytest.raises(UnsupportedMediaType) as caught:
        parser.sniff(data, filename="file.pdf")
    assert detail in caught.value.detail


@pytest.mark.parametrize("data", [b"", b" \n\t ", b"\xef\xbb\xbf  \n"])
def test_an_empty_file_is_unprocessable(parser: DocumentParser, data: bytes) -> None:
    with pytest.raises(UnprocessableDocument, match="empty"):
        parser.sniff(data)


def test_pdf_pages_keep_their_numbers_and_words(parser: DocumentParser) -> None:
    data = make_pdf(["First page (one)\nsecond   line", "", "Third page \\ end"])
    parsed = parser.parse(data, parser.sniff(data))
    assert parsed.paginated
    assert parsed.media_type == PDF
    assert [(p.number, p.text) for p in parsed.pages] == [
        (1, "First page (one)\nsecond line"),
        (2, ""),
        (3, "Third page \\ end"),
    ]


def test_a_truncated_pdf_is_unprocessable(parser: DocumentParser) -> None:
    data = make_pdf(["some words", "more words"])
    with pytest.raises(UnprocessableDocument, match="cannot be read"):
        parser.parse(data[: len(data) // 3], PDF)


def test_a_pdf_without_text_is_unprocessable(parser: DocumentParser) -> None:
    with pytest.raises(UnprocessableDocument, match="no extractable text"):
        parser.parse(make_pdf(["", "  "]), PDF)


def test_an_encrypted_pdf_is_unprocessable(parser: DocumentParser) -> None:
    with pytest.raises(UnprocessableDocument, match="encrypted"):
        parser.parse(make_encrypted_pdf(["secret words"]), PDF)


def test_a_pdf_encrypted_with_an_empty_password_is_read(parser: DocumentParser) -> None:
    parsed = parser.parse(make_encrypted_pdf(["open words"], password=""), PDF)
    assert [p.text for p in parsed.pages] == ["open words"]


def test_a_pdf_with_flipped_bytes_is_read_or_refused_as_unprocessable(
    parser: DocumentParser,
) -> None:
    original = make_pdf(["alpha beta", "gamma delta", "epsilon"])
    rng = random.Random(20240611)
    for _ in range(50):
        data = bytearray(original)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            parsed = parser.parse(bytes(data), PDF)
        except UnprocessableDocument:
            continue
        assert all(page.number == n for n, page in enumerate(parsed.pages, start=1))


def test_text_is_cut_into_unpaginated_sections_at_blank_lines(parser: DocumentParser) -> None:
    paragraphs = [f"Paragraph {i} " + "word " * 150 for i in range(30)]
    data = "\n\n".join(paragraphs).encode()
    parsed = parser.parse(data, parser.sniff(data))
    assert not parsed.paginated
    assert len(parsed.pages) > 1
    assert [p.number for p in parsed.pages] == list(range(1, len(parsed.pages) + 1))
    assert all(len(p.text) <= 4000 for p in parsed.pages)
    rebuilt = [para for page in parsed.pages for para in page.text.split("\n\n")]
    assert rebuilt == [p.rstrip() for p in paragraphs]


def test_an_edit_in_one_paragraph_changes_few_sections(parser: DocumentParser) -> None:
    paragraphs = [f"Paragraph {i} " + "word " * (40 + i % 7 * 30) for i in range(120)]
    before = parser.parse("\n\n".join(paragraphs).encode(), "text/plain").pages
    paragraphs[10] += "an inserted sentence that makes this paragraph longer. " * 5
    after = parser.parse("\n\n".join(paragraphs).encode(), "text/plain").pages
    changed = {p.sha256 for p in after} - {p.sha256 for p in before}
    assert 1 <= len(changed) <= 3 < len(after)


def test_a_paragraph_longer_than_a_section_is_split_at_lines_then_characters(
    parser: DocumentParser,
) -> None:
    data = ("short line\n" * 500 + "x" * 9000).encode()
    parsed = parser.parse(data, "text/plain")
    assert all(0 < len(p.text) <= 4000 for p in parsed.pages)
    assert "".join(p.text for p in parsed.pages).replace("\n", "") == data.decode().replace(
        "\n", ""
    )


def test_html_drops_scripts_and_styles_and_keeps_paragraphs(parser: DocumentParser) -> None:
    data = (
        b"<!doctype html><html><head><title>The  Title</title>"
        b"<style>p { color: red }</style><script>alert('x')</script></head>"
        b"<body><p>First   paragraph &amp; more</p><noscript>enable js</noscript>"
        b"<div>Second<br>line</div><ul><li>one</li><li>two</li></ul></body></html>"
    )
    parsed = parser.parse(data, parser.sniff(data))
    assert not parsed.paginated
    assert [p.text for p in parsed.pages] == [
        "The Title\n\nFirst paragraph & more\n\nSecond\nline\n\none\ntwo"
    ]


def test_html_without_text_is_unprocessable(parser: DocumentParser) -> None:
    with pytest.raises(UnprocessableDocument):
        parser.parse(b"<html><script>var a = 1;</script></html>", "text/html")


def test_parsing_an_unsupported_media_type_is_refused(parser: DocumentParser) -> None:
    with pytest.raises(UnsupportedMediaType):
        parser.parse(b"PK\x03\x04", "application/zip")
