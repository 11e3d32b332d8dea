"""Contract: BlobStore. Subclass BlobStoreContract once per adapter."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from askdocs.adapters.storage.local import LocalDirectoryBlobStore
from askdocs.adapters.storage.memory import InMemoryBlobStore
from askdocs.application.errors import NotFound, UpstreamUnavailable
from askdocs.application.ports.storage import BlobStore


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def files_under(root: Path) -> list[Path]:
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


class BlobStoreContract:
    """Behaviour every BlobStore must have; `blobs` must start empty."""

    @pytest.fixture
    def blobs(self) -> BlobStore:
        raise NotImplementedError

    async def test_stored_bytes_come_back(self, blobs: BlobStore) -> None:
        data = b"%PDF-1.7 \x00\xff binary"
        await blobs.put(digest(data), data)
        assert await blobs.get(digest(data)) == data

    async def test_storing_the_same_bytes_again_is_harmless(self, blobs: BlobStore) -> None:
        await blobs.put(digest(b"same"), b"same")
        await blobs.put(digest(b"same"), b"same")
        assert await blobs.get(digest(b"same")) == b"same"

    async def test_empty_bytes_are_a_blob_too(self, blobs: BlobStore) -> None:
        await blobs.put(digest(b""), b"")
        assert await blobs.get(digest(b"")) == b""

    async def test_an_unknown_digest_is_not_found(self, blobs: BlobStore) -> None:
        with pytest.raises(NotFound):
            await blobs.get(digest(b"never stored"))

    @pytest.mark.parametrize(
        "bad",
        [
            "../../etc/passwd",
            "ab/../../" + "0" * 55,
            "A" * 64,
            "0" * 63,
            "0" * 65,
            "/" + "0" * 63,
            "0" * 64 + "\n",
        ],
    )
    async def test_a_digest_that_is_not_lowercase_sha256_hex_is_refused(
        self, blobs: BlobStore, bad: str
    ) -> None:
        with pytest.raises(ValueError, match="64 lower-case hex"):
            await blobs.put(bad, b"x")
        with pytest.raises(ValueError, match="64 lower-case hex"):
            await blobs.get(bad)


class TestLocalDirectoryBlobStore(BlobStoreContract):
    @pytest.fixture
    def blobs(self, tmp_path: Path) -> BlobStore:
        return LocalDirectoryBlobStore(tmp_path / "blobs")

    async def test_blobs_fan_out_in_two_levels_and_leave_no_temporary_file(
        self, tmp_path: Path
    ) -> None:
        store = LocalDirectoryBlobStore(tmp_path)
        name = digest(b"hello")
        await store.put(name, b"hello")
        assert files_under(tmp_path) == [Path(name[:2]) / name[2:4] / name]

    async def test_a_root_that_cannot_be_written_is_unavailable(self, tmp_path: Path) -> None:
        root = tmp_path / "a-file"
        root.write_bytes(b"not a directory")
        store = LocalDirectoryBlobStore(root)
        with pytest.raises(UpstreamUnavailable) as caught:
            await store.put(digest(b"x"), b"x")
        assert isinstance(caught.value.__cause__, OSError)
        with pytest.raises(UpstreamUnavailable):
            await store.get(digest(b"x"))


class TestInMemoryBlobStore(BlobStoreContract):
    @pytest.fixture
    def blobs(self) -> BlobStore:
        return InMemoryBlobStore()

    async def test_two_stores_share_nothing(self) -> None:
        first, second = InMemoryBlobStore(), InMemoryBlobStore()
        await first.put(digest(b"mine"), b"mine")
        with pytest.raises(NotFound):
            await second.get(digest(b"mine"))
