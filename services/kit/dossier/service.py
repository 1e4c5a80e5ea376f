"""The dossier: documents, the manifests that travel with the nomination, freezing and
verification. Functions never commit."""

import base64
import binascii
import hashlib
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.dossier.models import Document, LevelDocument
from services.kit.errors import Conflict, Invalid, TooLarge, UnsupportedType
from services.kit.identity.service import Caller
from services.kit.nominations.models import Nomination, Review
from services.kit.nominations.service import own_nomination
from shared.contracts.nomination import DocumentRef
from shared.platform import blobs
from shared.platform.audit import AuditRecord, append_audit
from shared.rules.dossier import DOCUMENT_KINDS
from shared.text import safe_filename

FROZEN = "dossier.frozen"


def _ref(row: Document | LevelDocument, agency_code: str) -> DocumentRef:
    return DocumentRef(
        kind=row.kind,
        agency_code=agency_code,
        document_id=row.id,
        filename=row.filename,
        sha256=row.sha256,
        size=row.size,
    )


async def proposer_manifest(session: AsyncSession, nomination_id: str, agency_code: str) -> list[DocumentRef]:
    """The proposer's documents as references, oldest first; `agency_code` is the proposer's."""
    rows = await session.exec(
        select(Document)
        .where(Document.nomination_id == nomination_id)
        .order_by(col(Document.uploaded_at), col(Document.id))
    )
    return [_ref(row, agency_code) for row in rows.all()]


async def level_manifest(session: AsyncSession, nomination_id: str, agency_code: str) -> list[DocumentRef]:
    """The documents one reviewing agency added, for `DecisionInput.documents` when it forwards."""
    rows = await session.exec(
        select(LevelDocument)
        .where(LevelDocument.nomination_id == nomination_id, LevelDocument.agency_code == agency_code)
        .order_by(col(LevelDocument.uploaded_at), col(LevelDocument.id))
    )
    return [_ref(row, agency_code) for row in rows.all()]


async def latest_freeze(session: AsyncSession, nomination_id: str) -> AuditRecord | None:
    """The audit record of the last time the proposer's manifest was frozen, if ever."""
    rows = await session.exec(
        select(AuditRecord)
        .where(AuditRecord.nomination_id == nomination_id, AuditRecord.action == FROZEN)
        .order_by(col(AuditRecord.seq).desc())
        .limit(1)
        .execution_options(audit_about=nomination_id)
    )
    return rows.first()


def frozen_refs(record: AuditRecord) -> list[DocumentRef]:
    return [DocumentRef(**item) for item in record.details.get("documents", [])]


async def freeze_manifest(
    session: AsyncSession,
    *,
    nomination_id: str,
    agency_code: str,
    actor: str,
    at: datetime,
    manifest: list[DocumentRef] | None = None,
) -> list[DocumentRef]:
    """Record the proposer's current manifest (`manifest`, when the caller has just read it) in the
    audit chain and return it.

    Unchanged since the last freeze (a repeated submit, a resubmission without a new document):
    nothing is appended, so retries stay harmless. Otherwise freeze n gets the idempotency key
    `<nomination>:dossier:<n>`.
    """
    if manifest is None:
        manifest = await proposer_manifest(session, nomination_id, agency_code)
    last = await latest_freeze(session, nomination_id)
    if last is not None and frozen_refs(last) == manifest:
        return manifest
    count = 0  # never frozen: the first freeze (a submission, most often) needs no count
    if last is not None:
        count = (
            await session.exec(
                select(func.count())
                .select_from(AuditRecord)
                .where(AuditRecord.nomination_id == nomination_id, AuditRecord.action == FROZEN)
                .execution_options(audit_about=nomination_id)
            )
        ).one()
    freeze = count + 1
    await append_audit(
        session,
        idempotency_key=f"{nomination_id}:dossier:{freeze}",
        at=at,
        agency_code=agency_code,
        nomination_id=nomination_id,
        actor=actor,
        action=FROZEN,
        outcome="frozen",
        details={"freeze": freeze, "documents": [asdict(ref) for ref in manifest]},
    )
    return manifest


async def supplement_manifest(
    session: AsyncSession,
    nomination_id: str,
    agency_code: str,
    *,
    actor: str = "system",
) -> list[DocumentRef]:
    """The proposer's manifest after a supplement, for `ResubmitInput.documents`; frozen again,
    so that verification covers the documents the returning level asked for."""
    return await freeze_manifest(
        session, nomination_id=nomination_id, agency_code=agency_code, actor=actor, at=datetime.now(UTC)
    )


async def _local_agencies(session: AsyncSession, nomination_id: str) -> set[str]:
    """Agencies whose documents for this nomination this database holds: a manifest entry of
    theirs that is not found here was deleted, not stored elsewhere."""
    agencies: set[str] = set()
    nomination = await session.get(Nomination, nomination_id)
    if nomination is not None:
        agencies.add(nomination.proposer_agency)
    for model in (Review, LevelDocument):
        rows = await session.exec(select(model.agency_code).where(model.nomination_id == nomination_id))
        agencies.update(rows.all())
    return agencies


async def verify_documents(session: AsyncSession, nomination_id: str, manifest: list[DocumentRef]) -> list[dict]:
    """Check each manifest entry against what this service stores, one result per entry.

    Status: `intact` (content, manifest and the row's checksum agree), `altered` (the content
    hashes to something else than the manifest says, or the row was changed to hide it),
    `missing` (the row, or its bytes in the object store, are gone) or `elsewhere` (another
    service's agency stores it).
    """
    stored: dict[str, Document | LevelDocument] = {}
    proposers = await session.exec(select(Document).where(Document.nomination_id == nomination_id))
    levels = await session.exec(select(LevelDocument).where(LevelDocument.nomination_id == nomination_id))
    stored.update({row.id: row for row in proposers.all()})
    stored.update({row.id: row for row in levels.all()})
    local = await _local_agencies(session, nomination_id)
    results = []
    for ref in manifest:
        row = stored.get(ref.document_id)
        result: dict[str, Any] = {
            "document_id": ref.document_id,
            "kind": ref.kind,
            "agency_code": ref.agency_code,
            "filename": ref.filename,
            "manifest_sha256": ref.sha256,
            "stored_sha256": None,
            "actual_sha256": None,
            "detail": None,
        }
        if row is None:
            here = ref.agency_code in local
            result["status"] = "missing" if here else "elsewhere"
            result["detail"] = "the document was deleted" if here else f"stored by {ref.agency_code}'s service"
        else:
            actual = await _actual_sha256(row)
            result.update(stored_sha256=row.sha256, actual_sha256=actual, status="altered")
            if actual is None:
                result["status"] = "missing"
                result["detail"] = "its bytes are not in the object store"
            elif actual != ref.sha256:
                result["detail"] = "the content changed after the manifest was frozen"
            elif row.sha256 != actual:
                result["detail"] = "the stored checksum no longer matches the content"
            elif row.kind != ref.kind:
                result["detail"] = f"its kind was changed from {ref.kind} to {row.kind}"
            else:
                result["status"] = "intact"
        results.append(result)
    return results


async def _actual_sha256(row: Document | LevelDocument) -> str | None:
    """What the row's bytes hash to now: the object store's copy, or the row's own for a document
    uploaded before the store existed; None when there are none."""
    try:
        return hashlib.sha256(await blobs.get(row.sha256)).hexdigest()
    except blobs.BlobCorrupt as corrupt:
        return corrupt.actual
    except blobs.BlobMissing:
        return hashlib.sha256(row.content).hexdigest() if row.content is not None else None


async def store_level_document(
    session: AsyncSession,
    *,
    nomination_id: str,
    agency_code: str,
    kind: str,
    filename: str,
    content_type: str,
    content: bytes,
    uploaded_by: str,
) -> LevelDocument:
    """Store a document a level adds to a nomination's dossier (e.g. its council's minutes)."""
    filename = stored_filename(filename)
    sha256 = await blobs.put(content)  # for every level (an orphan if this transaction fails: harmless)
    document = LevelDocument(
        id=str(uuid.uuid4()),
        nomination_id=nomination_id,
        agency_code=agency_code,
        kind=kind,
        filename=filename,
        content_type=content_type,
        size=len(content),
        sha256=sha256,
        uploaded_at=datetime.now(UTC),
        uploaded_by=uploaded_by,
    )
    session.add(document)
    return document


MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def stored_filename(name: str) -> str:
    """The name as stored and shown at every level (`safe_filename`); refused when none is left."""
    safe = safe_filename(name)
    if not safe:
        raise Invalid(f"the file name {name[:40]!r} has no usable characters (tên tệp không hợp lệ)")
    return safe


ALLOWED_CONTENT_TYPES = {
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/msword",
    "image/png",
    "image/jpeg",
    "text/plain",
}


async def add_document(
    session: AsyncSession,
    *,
    caller: Caller,
    nomination_id: str,
    kind: str,
    filename: str,
    content_type: str,
    content_base64: str,
    sha256: str,
) -> Document:
    """Attach a document to a draft, or to a returned nomination as a supplement (domain.md §4.6).

    Once submitted, the dossier is frozen (`freeze_manifest`): documents added
    after a return join it when the nomination is resubmitted, which freezes it again.
    """
    nomination = await own_nomination(session, caller=caller, nomination_id=nomination_id)
    if nomination.status not in ("draft", "returned"):
        raise Conflict(
            f"documents can only be added to a draft or to a nomination returned for a supplement; "
            f"nomination {nomination_id} is {nomination.status}",
        )
    filename = stored_filename(filename)
    content = decode_document(kind=kind, content_type=content_type, content_base64=content_base64, sha256=sha256)
    await blobs.put(content)  # for every level (an orphan if this transaction fails: harmless)
    document = Document(
        id=str(uuid.uuid4()),
        nomination_id=nomination.id,
        kind=kind,
        filename=filename,
        content_type=content_type,
        size=len(content),
        sha256=sha256,
        uploaded_at=datetime.now(UTC),
    )
    session.add(document)
    return document


def decode_document(*, kind: str, content_type: str, content_base64: str, sha256: str) -> bytes:
    """The uploaded file's bytes, once its kind, type, size and checksum are acceptable.

    The client sends the checksum it computed so that a file damaged in transit is refused here,
    not discovered later by `verify` as an alteration.
    """
    if kind not in DOCUMENT_KINDS:
        raise Invalid(f"unknown document kind '{kind}'; use one of {list(DOCUMENT_KINDS)}")
    if content_type not in ALLOWED_CONTENT_TYPES:
        raise UnsupportedType(
            f"content type '{content_type}' is not accepted; use one of {sorted(ALLOWED_CONTENT_TYPES)}",
        )
    try:
        content = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid("content_base64 is not valid base64") from None
    if not content:
        raise Invalid("the document is empty (0 bytes): attach the file itself (tài liệu rỗng, 0 byte)")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise TooLarge(f"document is {len(content)} bytes; the limit is {MAX_DOCUMENT_BYTES}")
    actual = hashlib.sha256(content).hexdigest()
    if actual != sha256:
        raise Invalid(f"sha256 mismatch: you sent {sha256}, the content hashes to {actual}")
    return content


async def documents_of(session: AsyncSession, nomination_id: str) -> list[Document]:
    rows = await session.exec(
        select(Document).where(Document.nomination_id == nomination_id).order_by(col(Document.uploaded_at))
    )
    return list(rows.all())
