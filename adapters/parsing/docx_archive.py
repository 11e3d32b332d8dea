"""The zip checks a DOCX passes before python-docx inflates anything.

A DOCX is a zip archive: a few kilobytes can declare gigabytes, and the reader would hold
every part in memory. The central directory alone tells.
"""

from __future__ import annotations

import io
import zipfile

from askdocs.application.errors import UnprocessableDocument

MAX_EXPANDED_MB = 256
# Word writes a few dozen parts, plus one per image; tens of thousands is no document.
MAX_MEMBERS = 10_000
# Word's XML deflates 10- to 40-fold; deflate itself cannot pass about 1030-fold, which only
# long runs of one repeated byte reach.
MAX_COMPRESSION_RATIO = 100
# Small parts are left alone: a few kilobytes cannot hurt, whatever their ratio.
_RATIO_CHECKED_ABOVE = 1024 * 1024
_MAIN_PART = "word/document.xml"


def check_archive(data: bytes, *, max_expanded_mb: int) -> None:
    """Refuse a DOCX from its zip central directory alone, before anything is inflated.

    The declared sizes can be trusted this far: Python's zipfile never returns more than a
    member's declared size, so a member that lies about it fails its CRC check instead.

    Raises:
        UnprocessableDocument: the zip is broken, has too many members, no main document,
            declares more than `max_expanded_mb` in all, or a member is inflated bomb-like.
    """
    members = _members(data)
    if len(members) > MAX_MEMBERS:
        raise UnprocessableDocument(
            f"the DOCX holds {len(members)} files, more than the {MAX_MEMBERS} allowed"
        )
    if _MAIN_PART not in {member.filename for member in members}:
        raise UnprocessableDocument(
            f"the zip archive has no {_MAIN_PART}, so it is not a Word document"
        )
    if sum(member.file_size for member in members) > max_expanded_mb * 1024 * 1024:
        raise UnprocessableDocument(f"the DOCX expands to more than {max_expanded_mb} MB")
    if any(_is_bomb_like(member) for member in members):
        raise UnprocessableDocument(
            "the DOCX looks like a zip bomb: a part inflates more than "
            f"{MAX_COMPRESSION_RATIO} times its compressed size"
        )


def _members(data: bytes) -> list[zipfile.ZipInfo]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.infolist()
    except MemoryError:
        raise
    # Broad on purpose: zipfile raises BadZipFile, but also OSError, ValueError or EOFError
    # on some corrupt directories, and each one means a broken file.
    except Exception as exc:
        raise UnprocessableDocument(
            f"the DOCX is not a readable zip archive: {_reason(exc)}"
        ) from exc


def _is_bomb_like(member: zipfile.ZipInfo) -> bool:
    return (
        member.file_size > _RATIO_CHECKED_ABOVE
        and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)
    )


def _reason(exc: Exception) -> str:
    return str(exc) or type(exc).__name__
