"""Reading a document of a nomination at any level: the proposer's own, a level's own, or any
entry of the manifest that reached this level, for officers of the agencies on the nomination's
route (after a reorganization, the successor is on the re-routed route). The bytes come from the
shared object store and are checked against the SHA-256 on every read. Functions never commit."""

import hashlib
import mimetypes
from dataclasses import dataclass

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.dossier.models import Document, LevelDocument
from services.kit.errors import NotFound, Tampered
from services.kit.identity.service import Caller
from services.kit.nominations.models import Nomination, Review
from services.kit.nominations.service import agency_on_route
from shared.platform import blobs


@dataclass(frozen=True)
class Readable:
    document_id: str
    kind: str
    filename: str
    content_type: str
    sha256: str
    content: bytes


async def read_document(session: AsyncSession, *, caller: Caller, nomination_id: str, document_id: str) -> Readable:
    absent = NotFound(f"no document {document_id} of nomination {nomination_id} for {caller.agency_code}")
    nomination = await session.get(Nomination, nomination_id)
    proposer = nomination is not None and nomination.proposer_agency == caller.agency_code
    if not proposer and not await agency_on_route(session, caller.agency_code, nomination_id):
        raise absent
    row: Document | LevelDocument | None = await session.get(Document, document_id)
    if row is None or row.nomination_id != nomination_id or not proposer:
        level = await session.get(LevelDocument, document_id)
        row = level if level is not None and level.nomination_id == nomination_id else None
    found = (
        (row.kind, row.filename, row.content_type, row.sha256)
        if row is not None
        else await _in_manifests(session, caller.agency_code, nomination_id, document_id)
    )
    if found is None:
        raise absent
    kind, filename, content_type, sha256 = found
    try:
        content = await blobs.get(sha256)
    except blobs.BlobCorrupt as corrupt:
        raise Tampered(str(corrupt)) from None
    except blobs.BlobMissing:
        legacy = row.content if row is not None else None  # uploaded before the object store existed
        if legacy is None or hashlib.sha256(legacy).hexdigest() != sha256:
            raise NotFound(
                f"the bytes of {filename} are not in the object store (uploaded at {caller.agency_code}'s "
                f"level or before documents were shared); ask the uploading agency to upload it again"
            ) from None
        content = legacy
    return Readable(document_id, kind, filename, content_type, sha256, content)


async def _in_manifests(
    session: AsyncSession, agency_code: str, nomination_id: str, document_id: str
) -> tuple[str, str, str, str] | None:
    """The entry of a manifest that reached this agency, as (kind, filename, content type, hash)."""
    reviews = await session.exec(
        select(Review).where(Review.nomination_id == nomination_id, Review.agency_code == agency_code)
    )
    for review in reviews.all():
        for ref in review.documents:
            if ref.get("document_id") == document_id:
                guessed = mimetypes.guess_type(ref["filename"])[0] or "application/octet-stream"
                return ref["kind"], ref["filename"], guessed, ref["sha256"]
    return None
