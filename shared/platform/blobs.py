"""Documents' bytes in content-addressed object storage, shared by every service of a deployment
(obstore: a local directory in the embedded run, S3-compatible storage such as MinIO in
production). An object's key is its SHA-256, so a service that knows a document from the
dossier's manifest reads it wherever it was uploaded, and every read is checked against the
hash: an object that no longer matches is refused, never served.

One store per process, set once at start-up (`use_store`), like the logging configuration.
"""

import hashlib
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import obstore
from obstore.store import LocalStore, ObjectStore, from_url


class BlobError(Exception):
    """A document's bytes cannot be served: `detail` says why and what to do."""


class BlobMissing(BlobError):
    pass


class BlobCorrupt(BlobError):
    """The object under `sha256` hashes to `actual`: altered or damaged in storage."""

    def __init__(self, message: str, *, sha256: str, actual: str) -> None:
        super().__init__(message)
        self.sha256 = sha256
        self.actual = actual


_store: ObjectStore | None = None


def use_store(url: str, options: dict[str, str] | None = None) -> None:
    """`file:///abs/dir` (created if missing), or `s3://bucket` with `options` (endpoint,
    access_key_id, secret_access_key, region; an http:// endpoint is allowed, as MinIO's)."""
    global _store
    parsed = urlparse(url)
    if parsed.scheme == "file":
        Path(parsed.path).mkdir(parents=True, exist_ok=True)
        _store = LocalStore(parsed.path, mkdir=True)
        return
    config: Any = dict(options or {})  # obstore's S3Config: endpoint, access_key_id, …
    plain_http = str(config.get("endpoint", "")).startswith("http://")
    client: Any = {"allow_http": True} if plain_http else None
    _store = from_url(url, config=config, client_options=client)


def _current() -> ObjectStore:
    if _store is None:
        raise RuntimeError("no object store configured: call shared.platform.blobs.use_store(url) at start-up")
    return _store


def key_of(sha256: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError(f"not a hex SHA-256: {sha256!r}")
    return f"sha256/{sha256[:2]}/{sha256}"


async def put(content: bytes) -> str:
    """Store the bytes under their SHA-256 (idempotent: the same bytes, the same object)."""
    sha256 = hashlib.sha256(content).hexdigest()
    await obstore.put_async(_current(), key_of(sha256), content)
    return sha256


async def get(sha256: str) -> bytes:
    """The bytes whose SHA-256 is `sha256`, re-hashed on the way out."""
    try:
        found = await obstore.get_async(_current(), key_of(sha256))
    except FileNotFoundError:
        raise BlobMissing(f"the document {sha256[:12]}… is not in the object store") from None
    content = bytes(await found.bytes_async())
    actual = hashlib.sha256(content).hexdigest()
    if actual != sha256:
        raise BlobCorrupt(
            f"the stored document no longer matches its SHA-256 (expected {sha256[:12]}…, found {actual[:12]}…): "
            f"it was altered or damaged in storage and is not served; the uploading agency must upload it again "
            f"(tài liệu đã bị thay đổi, không khớp mã băm)",
            sha256=sha256,
            actual=actual,
        )
    return content
