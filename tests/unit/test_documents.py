"""Documents, versions, pages and tags: the domain rules."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from askdocs.domain.documents import (
    MAX_TAG_LENGTH,
    MAX_TAGS,
    Document,
    DocumentVersion,
    Page,
    PageRef,
    VersionStatus,
    clean_name,
    content_digest,
    normalise_tags,
    page_digest,
    page_refs,
    split_tags,
)
from askdocs.domain.errors import DocumentDeleted, InvalidTag

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def version(
    number: int, status: VersionStatus = VersionStatus.READY, *pages: str
) -> DocumentVersion:
    return DocumentVersion(
        number=number,
        content_hash=content_digest(f"v{number}".encode()),
        media_type="application/pdf",
        file_size=10,
        uploaded_at=T0,
        author="alice",
        pages=page_refs([Page(i, text) for i, text in enumerate(pages, start=1)]),
        status=status,
    )


def document(*versions: DocumentVersion, deleted_at: datetime | None = None) -> Document:
    return Document(
        id="d1",
        name="doc.pdf",
        created_at=T0,
        author="alice",
        tags=("a",),
        versions=versions,
        deleted_at=deleted_at,
    )


def test_a_page_digest_is_the_sha256_of_its_utf8_text() -> None:
    assert page_digest("café") == hashlib.sha256("café".encode()).hexdigest()
    assert Page(3, "café").sha256 == page_digest("café")
    assert content_digest(b"\x00\xff") == hashlib.sha256(b"\x00\xff").hexdigest()


def test_page_refs_keep_numbers_and_digests_in_order() -> None:
    refs = page_refs([Page(1, "one"), Page(2, "two"), Page(3, "one")])

    assert refs == (
        PageRef(1, page_digest("one")),
        PageRef(2, page_digest("two")),
        PageRef(3, page_digest("one")),
    )


def test_the_current_version_is_the_newest_ready_one() -> None:
    doc = document(
        version(1),
        version(2),
        version(3, VersionStatus.FAILED),
        version(4, VersionStatus.PROCESSING),
    )

    assert doc.current is not None
    assert doc.current.number == 2
    assert doc.newest is not None
    assert doc.newest.number == 4


def test_a_document_with_no_ready_version_has_no_current_one() -> None:
    assert document(version(1, VersionStatus.QUEUED)).current is None
    assert document().current is None
    assert document().newest is None


def test_a_version_is_found_by_its_number() -> None:
    doc = document(version(1), version(2))

    assert doc.version(2) == version(2)
    assert doc.version(7) is None


def test_version_numbers_continue_after_the_highest_one() -> None:
    assert document().next_version_number() == 1
    assert document(version(1), version(5)).next_version_number() == 6


def test_known_page_digests_are_those_of_ready_versions_only() -> None:
    doc = document(
        version(1, VersionStatus.READY, "a", "b"),
        version(2, VersionStatus.FAILED, "c"),
        version(3, VersionStatus.PROCESSING, "d"),
        version(4, VersionStatus.READY, "b", "e"),
    )

    assert doc.known_page_digests() == {page_digest(t) for t in ("a", "b", "e")}


def test_the_page_count_is_the_number_of_pages() -> None:
    assert version(1, VersionStatus.READY, "a", "b", "a").page_count == 3


def test_adding_a_version_appends_it() -> None:
    doc = document(version(1)).with_version(version(2))

    assert [v.number for v in doc.versions] == [1, 2]


def test_a_deleted_document_takes_no_new_version() -> None:
    with pytest.raises(DocumentDeleted):
        document(version(1), deleted_at=T0).with_version(version(2))


def test_deleting_records_the_time_once() -> None:
    deleted = document(version(1)).deleted(T0)

    again = deleted.deleted(T0 + timedelta(days=1))

    assert deleted.is_deleted
    assert again.deleted_at == T0


def test_restoring_clears_the_deletion() -> None:
    restored = document(version(1), deleted_at=T0).restored()

    assert not restored.is_deleted
    assert restored.deleted_at is None


def test_retagging_normalises_the_tags_and_renaming_changes_only_the_name() -> None:
    doc = document(version(1))

    assert doc.retagged([" x ", "y", "x"]).tags == ("x", "y")
    renamed = doc.renamed("new.pdf")
    assert renamed.name == "new.pdf"
    assert (renamed.id, renamed.tags, renamed.versions) == (doc.id, doc.tags, doc.versions)


def test_tags_are_trimmed_deduplicated_and_keep_their_first_order() -> None:
    assert normalise_tags([" b ", "a", "", "  ", "b", "c", "a"]) == ("b", "a", "c")


def test_tags_are_case_sensitive() -> None:
    assert normalise_tags(["HR", "hr"]) == ("HR", "hr")


def test_a_tag_of_the_maximum_length_is_accepted_and_a_longer_one_refused() -> None:
    assert normalise_tags(["x" * MAX_TAG_LENGTH]) == ("x" * MAX_TAG_LENGTH,)
    with pytest.raises(InvalidTag):
        normalise_tags(["x" * (MAX_TAG_LENGTH + 1)])


def test_a_tag_holding_a_comma_is_refused() -> None:
    with pytest.raises(InvalidTag):
        normalise_tags(["a,b"])


def test_at_most_the_maximum_number_of_distinct_tags_is_accepted() -> None:
    assert len(normalise_tags([f"t{i}" for i in range(MAX_TAGS)] + ["t0"])) == MAX_TAGS
    with pytest.raises(InvalidTag):
        normalise_tags([f"t{i}" for i in range(MAX_TAGS + 1)])


@pytest.mark.parametrize(
    ("field", "expected"),
    [(None, ()), ("", ()), (" a, b ,,a , ", ("a", "b")), ("single", ("single",))],
)
def test_a_comma_separated_field_splits_into_tags(
    field: str | None, expected: tuple[str, ...]
) -> None:
    assert split_tags(field) == expected


def test_a_tag_with_a_control_character_is_refused() -> None:
    with pytest.raises(InvalidTag):
        normalise_tags(["ok", "bad\x00tag"])


def test_a_name_loses_control_characters_and_is_never_empty() -> None:
    assert clean_name(" report\x00.pdf\n ") == "report.pdf"
    assert clean_name("\x00\x01") == "untitled"
    assert clean_name("x" * 400, max_length=10) == "x" * 10
    assert clean_name("x" * 400) == "x" * 255  # what the documents table holds
