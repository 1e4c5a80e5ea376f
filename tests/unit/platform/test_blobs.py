"""The content-addressed object store: bytes by SHA-256, checked on every read."""

import hashlib
from pathlib import Path

import pytest

from shared.platform import blobs

CONTENT = "Tờ trình đề nghị khen thưởng".encode()
SHA256 = hashlib.sha256(CONTENT).hexdigest()


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A local store in a fresh directory; the process's own store comes back afterwards."""
    monkeypatch.setattr(blobs, "_store", None)
    root = tmp_path / "objects"
    blobs.use_store(f"file://{root}")
    return root


def files_under(root: Path) -> list[str]:
    return [p.name for p in root.rglob("*") if p.is_file()]


async def test_bytes_are_kept_under_their_sha256_and_read_back(store: Path):
    assert await blobs.put(CONTENT) == SHA256
    assert (store / "sha256" / SHA256[:2] / SHA256).read_bytes() == CONTENT
    assert await blobs.get(SHA256) == CONTENT


async def test_putting_the_same_bytes_twice_is_one_object(store: Path):
    assert await blobs.put(CONTENT) == await blobs.put(CONTENT) == SHA256
    assert files_under(store) == [SHA256]
    assert await blobs.get(SHA256) == CONTENT


async def test_an_object_altered_in_storage_is_refused_with_both_hashes(store: Path):
    await blobs.put(CONTENT)
    forged = "Tờ trình đã bị sửa".encode()
    (store / blobs.key_of(SHA256)).write_bytes(forged)
    with pytest.raises(blobs.BlobCorrupt, match="no longer matches its SHA-256") as refused:
        await blobs.get(SHA256)
    assert (refused.value.sha256, refused.value.actual) == (SHA256, hashlib.sha256(forged).hexdigest())
    assert "upload it again" in str(refused.value)


async def test_putting_the_bytes_again_repairs_an_altered_object(store: Path):
    await blobs.put(CONTENT)
    (store / blobs.key_of(SHA256)).write_bytes(b"damaged")
    await blobs.put(CONTENT)
    assert await blobs.get(SHA256) == CONTENT


async def test_a_missing_object_says_so(store: Path):
    with pytest.raises(blobs.BlobMissing, match="not in the object store"):
        await blobs.get(SHA256)
    await blobs.put(CONTENT)
    (store / blobs.key_of(SHA256)).unlink()
    with pytest.raises(blobs.BlobMissing):
        await blobs.get(SHA256)


@pytest.mark.parametrize("key", ["", "../../etc/passwd", SHA256.upper(), SHA256[:-1]])
def test_only_a_hex_sha256_names_an_object(key: str):
    with pytest.raises(ValueError, match="not a hex SHA-256"):
        blobs.key_of(key)


async def test_without_a_configured_store_nothing_is_read(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(blobs, "_store", None)
    with pytest.raises(RuntimeError, match="no object store configured"):
        await blobs.get(SHA256)


def test_an_s3_store_is_built_from_the_settings_without_connecting(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(blobs, "_store", None)
    options = {
        "endpoint": "http://127.0.0.1:9",
        "access_key_id": "tdkt",
        "secret_access_key": "secret",
        "region": "us-east-1",
    }
    blobs.use_store("s3://tdkt-documents", options)
    assert blobs._store is not None
