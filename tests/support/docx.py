"""Small, real DOCX files built with python-docx, so parser tests need no fixture files."""

from __future__ import annotations

import io
from collections.abc import Sequence

import docx
from docx.table import Table

Block = str | list[list[str]]
"""A paragraph's text, or a table as rows of cell texts."""


def make_docx(blocks: Sequence[Block]) -> bytes:
    """A Word document with one paragraph per string and one table per list of rows."""
    document = docx.Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
        else:
            fill_table(document.add_table(rows=len(block), cols=len(block[0])), block)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def fill_table(table: Table, rows: list[list[str]]) -> None:
    for row, texts in zip(table.rows, rows, strict=True):
        for cell, text in zip(row.cells, texts, strict=True):
            cell.text = text
