"""Contract of the DocumentParser: types judged from bytes, pages numbered from 1.

The format rules are checked on ContentSniffingParser, the synchronous reader; the classes at
the end check that each asynchronous DocumentParser wrapping it gives the same answers.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable

import docx
import pytest
from pypdf import PdfReader
from pypdf.errors import PdfStreamError

from askdocs.adapters.parsing import ContentSniffingParser, InlineParser, IsolatedParser
from askdocs.adapters.parsing.docx import parse_docx
from askdocs.adapters.parsing.docx_archive import MAX_MEMBERS
from askdocs.application.errors import UnprocessableDocument, UnsupportedMediaType
from askdocs.application.ports.parsing import DocumentParser
from tests.support.docx import fill_table, make_docx
from tests.support.malformed import docx_understating_its_size, docx_zip_bomb
from tests.support.pdf import make_encrypted_pdf, make_pdf
from tests.support.settings_wiring import from_settings

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.fixture
def parser() -> ContentSniffingParser:
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
        (make_docx(["hello"]), "report.pdf", DOCX),
        # Cut before the central directory, the local file headers still name the main part.
        (make_docx(["hello"])[:2000], None, DOCX),
    ],
)
def test_the_media_type_is_judged_from_the_bytes(
    parser: ContentSniffingParser, data: bytes, filename: str | None, expected: str
) -> None:
    assert parser.sniff(data, filename=filename) == expected


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (PNG, "PNG"),
        (b"PK\x03\x04other.bin", "zip"),
        (zip_of({"notes/word/document.xml": b"<x/>"}), "zip"),
        (zip_of({"readme.txt": b"a DOCX holds word/document.xml"}), "zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32, "password-protected Office"),
        (b"\x1f\x8b\x08\x00", "gzip"),
        (b"text with a \x00 NUL", "binary"),
        (b"caf\xe9 in latin-1, not UTF-8", "binary"),
    ],
)
def test_binary_files_and_zips_other_than_docx_are_unsupported_media(
    parser: ContentSniffingParser, data: bytes, detail: str
) -> None:
    with pytest.raises(UnsupportedMediaType) as caught:
        parser.sniff(data, filename="file.pdf")
    assert detail in caught.value.detail


@pytest.mark.parametrize("data", [b"", b" \n\t ", b"\xef\xbb\xbf  \n"])
def test_an_empty_file_is_unprocessable(parser: ContentSniffingParser, data: bytes) -> None:
    with pytest.raises(UnprocessableDocument, match="empty"):
        parser.sniff(data)


def test_pdf_pages_keep_their_numbers_and_words(parser: ContentSniffingParser) -> None:
    data = make_pdf(["First page (one)\nsecond   line", "", "Third page \\ end"])
    parsed = parser.parse(data, parser.sniff(data))
    assert parsed.paginated
    assert parsed.media_type == PDF
    assert [(p.number, p.text) for p in parsed.pages] == [
        (1, "First page (one)\nsecond line"),
        (2, ""),
        (3, "Third page \\ end"),
    ]


def test_a_truncated_pdf_is_unprocessable(parser: ContentSniffingParser) -> None:
    data = make_pdf(["some words", "more words"])
    with pytest.raises(UnprocessableDocument, match="cannot be read"):
        parser.parse(data[: len(data) // 3], PDF)


def test_a_pdf_without_text_is_unprocessable(parser: ContentSniffingParser) -> None:
    with pytest.raises(UnprocessableDocument, match="no extractable text"):
        parser.parse(make_pdf(["", "  "]), PDF)


def test_an_encrypted_pdf_is_unprocessable(parser: ContentSniffingParser) -> None:
    with pytest.raises(UnprocessableDocument, match="encrypted"):
        parser.parse(make_encrypted_pdf(["secret words"]), PDF)


def test_a_pdf_encrypted_with_an_empty_password_is_read(parser: ContentSniffingParser) -> None:
    parsed = parser.parse(make_encrypted_pdf(["open words"], password=""), PDF)
    assert [p.text for p in parsed.pages] == ["open words"]


def test_a_pdf_with_flipped_bytes_is_read_or_refused_as_unprocessable(
    parser: ContentSniffingParser,
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


def test_a_pdf_that_pypdf_cannot_read_is_read_by_pdfium_page_for_page(
    parser: ContentSniffingParser,
) -> None:
    data = make_pdf(["First page words", "", "Third page words"], pypdf_unreadable=True)
    with pytest.raises(PdfStreamError):
        [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    parsed = parser.parse(data, PDF)
    assert [(p.number, p.text) for p in parsed.pages] == [
        (1, "First page words"),
        (2, ""),
        (3, "Third page words"),
    ]


def test_pdfium_takes_over_a_pdf_in_which_pypdf_finds_no_text(
    parser: ContentSniffingParser,
) -> None:
    data = make_pdf(["Words only pdfium finds", "More of them"], pypdf_blind=True)
    assert [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages] == ["", ""]
    parsed = parser.parse(data, PDF)
    assert [p.text for p in parsed.pages] == ["Words only pdfium finds", "More of them"]


def test_pdfium_text_is_cleaned_like_pypdf_text_with_code_told_by_its_signs(
    parser: ContentSniffingParser,
) -> None:
    lines = [
        "Install the package and check that it answers, as in this example:",
        "$ pip install --upgrade askdocs",
        ">>> import askdocs",
        "Pass the --verbose option to see every step that the tool takes here.",
    ]
    parsed = parser.parse(make_pdf(["\n".join(lines)], pypdf_unreadable=True), PDF)
    assert parsed.pages[0].text == (f"{lines[0]}\n\n```\n{lines[1]}\n{lines[2]}\n```\n\n{lines[3]}")


def test_text_is_cut_into_unpaginated_sections_at_blank_lines(
    parser: ContentSniffingParser,
) -> None:
    paragraphs = [f"Paragraph {i} " + "word " * 150 for i in range(30)]
    data = "\n\n".join(paragraphs).encode()
    parsed = parser.parse(data, parser.sniff(data))
    assert not parsed.paginated
    assert len(parsed.pages) > 1
    assert [p.number for p in parsed.pages] == list(range(1, len(parsed.pages) + 1))
    assert all(len(p.text) <= 4000 for p in parsed.pages)
    rebuilt = [para for page in parsed.pages for para in page.text.split("\n\n")]
    assert rebuilt == [p.rstrip() for p in paragraphs]


def test_an_edit_in_one_paragraph_changes_few_sections(parser: ContentSniffingParser) -> None:
    paragraphs = [f"Paragraph {i} " + "word " * (40 + i % 7 * 30) for i in range(120)]
    before = parser.parse("\n\n".join(paragraphs).encode(), "text/plain").pages
    paragraphs[10] += "an inserted sentence that makes this paragraph longer. " * 5
    after = parser.parse("\n\n".join(paragraphs).encode(), "text/plain").pages
    changed = {p.sha256 for p in after} - {p.sha256 for p in before}
    assert 1 <= len(changed) <= 3 < len(after)


def test_a_paragraph_longer_than_a_section_is_split_at_lines_then_characters(
    parser: ContentSniffingParser,
) -> None:
    data = ("short line\n" * 500 + "x" * 9000).encode()
    parsed = parser.parse(data, "text/plain")
    assert all(0 < len(p.text) <= 4000 for p in parsed.pages)
    assert "".join(p.text for p in parsed.pages).replace("\n", "") == data.decode().replace(
        "\n", ""
    )


def test_html_drops_scripts_and_styles_and_keeps_paragraphs(parser: ContentSniffingParser) -> None:
    data = (
        b"<!doctype html><html><head><title>The  Title</title>"
        b"<style>p { color: red }</style><script>alert('x')</script></head>"
        b"<body><p>First   paragraph &amp; more</p><noscript>enable js</noscript>"
        b"<div>Second<br>line</div><ul><li>one</li><li>two</li></ul></body></html>"
    )
    parsed = parser.parse(data, parser.sniff(data))
    assert not parsed.paginated
    assert [p.text for p in parsed.pages] == [
        "# The Title\n\nFirst paragraph & more\n\nSecond\nline\n\n- one\n- two"
    ]


def test_html_without_text_is_unprocessable(parser: ContentSniffingParser) -> None:
    with pytest.raises(UnprocessableDocument):
        parser.parse(b"<html><script>var a = 1;</script></html>", "text/html")


def test_parsing_an_unsupported_media_type_is_refused(parser: ContentSniffingParser) -> None:
    with pytest.raises(UnsupportedMediaType):
        parser.parse(b"PK\x03\x04", "application/zip")


def test_docx_paragraphs_and_tables_are_read_in_document_order(
    parser: ContentSniffingParser,
) -> None:
    data = make_docx(
        ["Heading", [["Name", "Role"], ["Ada", "first   programmer"]], "", "After the table"]
    )
    parsed = parser.parse(data, parser.sniff(data))
    assert parsed.media_type == DOCX
    assert not parsed.paginated
    assert [p.text for p in parsed.pages] == [
        "Heading\n\n| Name | Role |\n| Ada | first programmer |\n\nAfter the table"
    ]


def test_docx_merged_cells_are_read_once_and_nested_tables_join_their_cell(
    parser: ContentSniffingParser,
) -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "wide"
    table.cell(0, 2).text = "right"
    table.cell(1, 0).text = "outer"
    fill_table(table.cell(1, 1).add_table(rows=1, cols=2), [["in 1", "in 2"]])
    table.cell(1, 2).text = "end"
    out = io.BytesIO()
    document.save(out)
    parsed = parser.parse(out.getvalue(), DOCX)
    assert [p.text for p in parsed.pages] == ["| wide | right |\n| outer | in 1 | in 2 | end |"]


def test_a_long_docx_is_cut_into_sections_like_text(parser: ContentSniffingParser) -> None:
    paragraphs = [f"Paragraph {i} " + "word " * 150 for i in range(30)]
    parsed = parser.parse(make_docx(paragraphs), DOCX)
    assert len(parsed.pages) > 1
    assert all(len(p.text) <= 4000 for p in parsed.pages)
    rebuilt = [para for page in parsed.pages for para in page.text.split("\n\n")]
    assert rebuilt == [p.rstrip() for p in paragraphs]


@pytest.mark.parametrize(
    ("make", "detail"),
    [
        (lambda: make_docx(["", "  "]), "holds no text"),
        (lambda: make_docx(["words"])[:2000], "not a readable zip archive"),
        (lambda: b"PK\x05\x06" + b"\x00" * 18, "not a Word document"),
        (lambda: zip_of({"word/other.xml": b"<x/>"}), "no word/document.xml"),
        (lambda: zip_of({"word/document.xml": b"<not-closed>"}), "cannot be read"),
        (lambda: docx_understating_its_size()[0], "cannot be read"),
        (lambda: docx_zip_bomb()[0], "expands to more than 256 MB"),
        (lambda: make_docx(["a" * 5_000_000]), "zip bomb"),
    ],
    ids=[
        "no text",
        "truncated",
        "empty zip",
        "no main part",
        "broken XML",
        "understated size",
        "zip bomb",
        "bomb-like ratio",
    ],
)
def test_a_broken_empty_or_bomb_like_docx_is_unprocessable(
    parser: ContentSniffingParser, make: Callable[[], bytes], detail: str
) -> None:
    with pytest.raises(UnprocessableDocument) as caught:
        parser.parse(make(), DOCX)
    assert detail in caught.value.detail


def test_a_docx_expanding_past_the_limit_is_refused_before_it_is_read() -> None:
    data = make_docx([random.Random(7).randbytes(600_000).hex()])
    with pytest.raises(UnprocessableDocument, match="expands to more than 1 MB"):
        parse_docx(data, max_expanded_mb=1)
    assert parse_docx(data, max_expanded_mb=4).pages


def test_a_zip_of_too_many_members_is_refused() -> None:
    members = {f"word/media/{n}.bin": b"" for n in range(MAX_MEMBERS)}
    data = zip_of({"word/document.xml": b"<x/>", **members})
    with pytest.raises(UnprocessableDocument, match=f"more than the {MAX_MEMBERS} allowed"):
        parse_docx(data)


class DocumentParserContract:
    """What every asynchronous DocumentParser does: ContentSniffingParser's answers, unchanged."""

    @pytest.fixture
    def document_parser(self) -> DocumentParser:
        raise NotImplementedError

    async def test_pdf_pages_are_read(self, document_parser: DocumentParser) -> None:
        data = make_pdf(["First page", "", "Third page"])
        parsed = await document_parser.parse(data, document_parser.sniff(data))
        assert parsed == ContentSniffingParser().parse(data, PDF)

    async def test_a_docx_is_read(self, document_parser: DocumentParser) -> None:
        data = make_docx(["Heading", [["a", "b"]], "After"])
        parsed = await document_parser.parse(data, document_parser.sniff(data, filename="x.txt"))
        assert [p.text for p in parsed.pages] == ["Heading\n\n| a | b |\n\nAfter"]

    @pytest.mark.parametrize(
        ("data", "media_type", "error"),
        [
            (make_encrypted_pdf(["secret"]), PDF, UnprocessableDocument),
            (make_docx([""]), DOCX, UnprocessableDocument),
            (b"<html><script>1</script></html>", "text/html", UnprocessableDocument),
            (PNG, "image/png", UnsupportedMediaType),
        ],
    )
    async def test_refusals_keep_their_class_and_detail(
        self,
        document_parser: DocumentParser,
        data: bytes,
        media_type: str,
        error: type[Exception],
    ) -> None:
        with pytest.raises(error) as expected:
            ContentSniffingParser().parse(data, media_type)
        with pytest.raises(error) as caught:
            await document_parser.parse(data, media_type)
        assert type(caught.value) is type(expected.value)
        assert str(caught.value) == str(expected.value)


class TestInlineParser(DocumentParserContract):
    @pytest.fixture
    def document_parser(self) -> DocumentParser:
        return InlineParser()


class TestIsolatedParser(DocumentParserContract):
    @pytest.fixture
    def document_parser(self) -> DocumentParser:
        return from_settings(IsolatedParser, cpu_budget_s=20, memory_budget_mb=512)
