"""The dossier: its manifest, the documents each level adds, and proof that none changed.

A manifest is the list of `DocumentRef`s the workflow carries: for each document, the agency
that stores it, its id there and its SHA-256. At submission the proposer's manifest is frozen in
this service's hash-chained audit log (action `dossier.frozen`), because the submission record
written by the workflow's first activity carries only the award and the route. A resubmission
after a supplement freezes again; verification reads the latest freeze. The documents stay in the
database of the agency that uploaded them; only references cross service boundaries.
"""

import hashlib
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.audit import append_audit, record_hash
from shared.kit.auth import Caller, current_officer, require_role
from shared.kit.deps import db
from shared.kit.schemas import DocumentIn
from shared.kit.service import decode_document, pending_review
from shared.models import AuditRecord, Document, LevelDocument, Nomination, Review
from workflows.nomination.inputs import DocumentRef

router = APIRouter()
FROZEN = "dossier.frozen"
LEVEL_ROLES = ("clerk", "chair", "admin")


class LevelDocumentOut(BaseModel):
    id: str
    nomination_id: str
    agency_code: str
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    uploaded_by: str


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
        select(Document).where(Document.nomination_id == nomination_id).order_by(Document.uploaded_at, Document.id)  # type: ignore[arg-type]
    )
    return [_ref(row, agency_code) for row in rows.all()]


async def level_manifest(session: AsyncSession, nomination_id: str, agency_code: str) -> list[DocumentRef]:
    """The documents one reviewing agency added, for `DecisionInput.documents` when it forwards."""
    rows = await session.exec(
        select(LevelDocument)
        .where(LevelDocument.nomination_id == nomination_id, LevelDocument.agency_code == agency_code)
        .order_by(LevelDocument.uploaded_at, LevelDocument.id)  # type: ignore[arg-type]
    )
    return [_ref(row, agency_code) for row in rows.all()]


async def latest_freeze(session: AsyncSession, nomination_id: str) -> AuditRecord | None:
    """The audit record of the last time the proposer's manifest was frozen, if ever."""
    rows = await session.exec(
        select(AuditRecord)
        .where(AuditRecord.nomination_id == nomination_id, AuditRecord.action == FROZEN)
        .order_by(AuditRecord.seq.desc())
        .limit(1)  # type: ignore[union-attr]
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
) -> list[DocumentRef]:
    """Record the proposer's current manifest in the audit chain and return it.

    Unchanged since the last freeze (a repeated submit, a resubmission without a new document):
    nothing is appended, so retries stay harmless. Otherwise freeze n gets the idempotency key
    `<nomination>:dossier:<n>`.
    """
    manifest = await proposer_manifest(session, nomination_id, agency_code)
    last = await latest_freeze(session, nomination_id)
    if last is not None and frozen_refs(last) == manifest:
        return manifest
    count = (
        await session.exec(
            select(func.count())
            .select_from(AuditRecord)
            .where(AuditRecord.nomination_id == nomination_id, AuditRecord.action == FROZEN)  # type: ignore[arg-type]
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
        rows = await session.exec(select(model.agency_code).where(model.nomination_id == nomination_id))  # type: ignore[attr-defined]
        agencies.update(rows.all())
    return agencies


async def verify_documents(session: AsyncSession, nomination_id: str, manifest: list[DocumentRef]) -> list[dict]:
    """Check each manifest entry against what this database stores, one result per entry.

    Status: `intact` (content, manifest and the row's checksum agree), `altered` (the content
    hashes to something else than the manifest says, or the row was changed to hide it),
    `missing` (the row is gone) or `elsewhere` (another service's agency stores it).
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
            actual = hashlib.sha256(row.content).hexdigest()
            result.update(stored_sha256=row.sha256, actual_sha256=actual, status="altered")
            if actual != ref.sha256:
                result["detail"] = "the content changed after the manifest was frozen"
            elif row.sha256 != actual:
                result["detail"] = "the stored checksum no longer matches the content"
            elif row.kind != ref.kind:
                result["detail"] = f"its kind was changed from {ref.kind} to {row.kind}"
            else:
                result["status"] = "intact"
        results.append(result)
    return results


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
    document = LevelDocument(
        id=str(uuid.uuid4()),
        nomination_id=nomination_id,
        agency_code=agency_code,
        kind=kind,
        filename=filename,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_at=datetime.now(UTC),
        uploaded_by=uploaded_by,
    )
    session.add(document)
    return document


@router.post(
    "/reviews/{nomination_id}/documents",
    status_code=201,
    response_model=LevelDocumentOut,
    tags=["reviews"],
    summary="Add this level's document (its tờ trình, its council's minutes) to a nomination pending here",
)
async def add_level_document(
    nomination_id: str,
    body: DocumentIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
):
    require_role(caller, *LEVEL_ROLES)
    await pending_review(session, caller=caller, nomination_id=nomination_id)
    content = decode_document(
        kind=body.kind, content_type=body.content_type, content_base64=body.content_base64, sha256=body.sha256
    )
    document = await store_level_document(
        session,
        nomination_id=nomination_id,
        agency_code=caller.agency_code,
        kind=body.kind,
        filename=body.filename,
        content_type=body.content_type,
        content=content,
        uploaded_by=caller.officer_id,
    )
    return LevelDocumentOut(**document.model_dump(exclude={"content"}))


@router.get(
    "/reviews/{nomination_id}/documents",
    response_model=list[LevelDocumentOut],
    tags=["reviews"],
    summary="The documents the caller's agency added to a nomination it reviews",
)
async def my_level_documents(
    nomination_id: str, caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
):
    seen = await session.exec(
        select(Review.id).where(Review.nomination_id == nomination_id, Review.agency_code == caller.agency_code)
    )
    if seen.first() is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"nomination {nomination_id} has never been at {caller.agency_code}"
        )
    rows = await session.exec(
        select(LevelDocument)
        .where(LevelDocument.nomination_id == nomination_id, LevelDocument.agency_code == caller.agency_code)
        .order_by(LevelDocument.uploaded_at, LevelDocument.id)  # type: ignore[arg-type]
    )
    return [LevelDocumentOut(**row.model_dump(exclude={"content"})) for row in rows.all()]


@router.get(
    "/nominations/{nomination_id}/documents/verify",
    tags=["nominations"],
    summary="Check the proposer's documents against the manifest frozen at submission "
    "(officers of the proposing agency, auditors)",
)
async def verify_dossier(
    nomination_id: str, caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
) -> dict:
    nomination = await session.get(Nomination, nomination_id)
    if nomination is None or (nomination.proposer_agency != caller.agency_code and caller.role != "auditor"):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no nomination {nomination_id} at {caller.agency_code}")
    record = await latest_freeze(session, nomination_id)
    if record is None:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"nomination {nomination_id} is {nomination.status}: no manifest has been frozen yet "
            "(it is frozen at submission)",
        )
    manifest = frozen_refs(record)
    documents = await verify_documents(session, nomination_id, manifest)
    # A record edited to match an altered document would no longer hash to its chain link.
    record_intact = record_hash(record) == record.hash
    listed = {ref.document_id for ref in manifest}
    unlisted = [
        ref.document_id
        for ref in await proposer_manifest(session, nomination_id, nomination.proposer_agency)
        if ref.document_id not in listed
    ]
    return {
        "nomination_id": nomination_id,
        "intact": record_intact and all(d["status"] in ("intact", "elsewhere") for d in documents),
        "frozen": {
            "seq": record.seq,
            "at": record.at,
            "freeze": record.details.get("freeze"),
            "record_intact": record_intact,
        },
        "documents": documents,
        "unlisted": unlisted,
    }
