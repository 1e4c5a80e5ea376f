"""Dossier routes: a level's own documents, and verifying the proposer's."""

from urllib.parse import quote

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.deps import db
from services.kit.dossier.models import LevelDocument
from services.kit.dossier.reading import Readable, read_document
from services.kit.dossier.schemas import DocumentIn, LevelDocumentOut
from services.kit.dossier.service import (
    decode_document,
    frozen_refs,
    latest_freeze,
    proposer_manifest,
    store_level_document,
    verify_documents,
)
from services.kit.errors import Conflict, NotFound
from services.kit.identity.auth import current_officer
from services.kit.identity.service import Caller, require
from services.kit.nominations.models import Nomination, Review
from services.kit.nominations.service import pending_review
from services.kit.openapi import served
from shared.platform.audit import record_hash

router = APIRouter()


def document_response(document: Readable) -> Response:
    """The bytes, named (RFC 5987, for Vietnamese file names) and with their SHA-256."""
    ascii_name = document.filename.encode("ascii", "replace").decode().replace('"', "'")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(document.filename)}"
    headers = {"Content-Disposition": disposition, "X-Content-SHA256": document.sha256}
    return Response(document.content, media_type=document.content_type, headers=headers)


@router.get(
    "/nominations/{nomination_id}/documents/{document_id}/content",
    tags=["nominations"],
    summary="A document of the dossier, at any level of the route (checked against its SHA-256)",
    description="The proposer, and every agency on the nomination's route, read every document that reached "
    "them; an object whose bytes no longer match the manifest's SHA-256 is refused (409).",
    response_class=Response,
    responses={
        200: {"description": "The document's bytes, with the type it was stored with", "content": served("*/*")}
    },
)
async def document_content(
    nomination_id: str,
    document_id: str,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> Response:
    return document_response(
        await read_document(session, caller=caller, nomination_id=nomination_id, document_id=document_id)
    )


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
    require(caller, "add_level_documents")
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
        raise NotFound(f"nomination {nomination_id} has never been at {caller.agency_code}")
    rows = await session.exec(
        select(LevelDocument)
        .where(LevelDocument.nomination_id == nomination_id, LevelDocument.agency_code == caller.agency_code)
        .order_by(col(LevelDocument.uploaded_at), col(LevelDocument.id))
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
        raise NotFound(f"no nomination {nomination_id} at {caller.agency_code}")
    record = await latest_freeze(session, nomination_id)
    if record is None:
        raise Conflict(
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
