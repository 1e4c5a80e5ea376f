"""Public consultation over HTTP: the proposer posts, the public comments without an account,
complaints hold the nomination."""

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.encoders import jsonable_encoder
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.consultation.models import Consultation, ConsultationComment
from services.kit.consultation.schemas import CommentIn, ConsultationIn, HoldIn
from services.kit.consultation.service import (
    comments_of,
    complaint_of,
    consultation_of,
    consultation_out,
    file_public_comment,
    public_consultation,
    required_consultation,
)
from services.kit.days import require_day
from services.kit.deps import db, new_transaction, settings
from services.kit.errors import Conflict, Invalid
from services.kit.identity.auth import current_officer
from services.kit.identity.service import Caller, require
from services.kit.nominations.service import own_nomination
from services.kit.workflow_client import NominationClient, NominationNotFound
from shared.contracts.nomination import HOLD, RELEASE, HoldInput
from shared.platform.audit import append_audit
from shared.platform.settings import ServiceSettings
from shared.rules.calendar import default_calendar
from shared.rules.catalog import default_catalog
from shared.rules.days import HAPPENED

router = APIRouter(tags=["consultation"])


@router.post(
    "/nominations/{nomination_id}/consultation",
    status_code=201,
    summary="Record the public posting of the agency's own nomination (clerk, chair)",
)
async def open_consultation(
    nomination_id: str,
    body: ConsultationIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    config: ServiceSettings = Depends(settings),
) -> dict[str, Any]:
    require(caller, "post_consultation")
    require_day(body.posted_on, config.today(), HAPPENED, field="posted_on", field_vi="ngày đăng công khai")
    nomination = await own_nomination(session, caller=caller, nomination_id=nomination_id)
    award = default_catalog().award(nomination.award_code)
    posting = award.public_posting
    if not posting.required or posting.working_days is None:
        raise Conflict(f"{award.name_vi} ({award.code}) needs no public posting (catalog: public_posting)")
    if posting.by == "central_board":
        raise Conflict(f"{award.name_vi} is put to public consultation by the Central Board, not the proposer")
    days = body.working_days or posting.working_days
    if days < posting.working_days:
        raise Invalid(f"{award.name_vi} must be posted for at least {posting.working_days} working days")
    if await consultation_of(session, nomination_id) is not None:
        raise Conflict(f"the public posting of nomination {nomination_id} is already recorded")
    consultation = Consultation(
        id=str(uuid.uuid4()),
        nomination_id=nomination_id,
        agency_code=caller.agency_code,
        award_code=award.code,
        nominee_name=nomination.nominee_name,
        posted_on=body.posted_on,
        channel=body.channel,
        working_days=days,
        closes_on=default_calendar().add_working_days(body.posted_on, days),
        opened_by=caller.officer_id,
        opened_at=datetime.now(UTC),
    )
    session.add(consultation)
    await append_audit(
        session,
        idempotency_key=f"consultation:{consultation.id}:opened",
        at=consultation.opened_at,
        agency_code=caller.agency_code,
        actor=caller.officer_id,
        action="consultation.opened",
        outcome="open",
        nomination_id=nomination_id,
        details={
            "consultation_id": consultation.id,
            "posted_on": body.posted_on.isoformat(),
            "closes_on": consultation.closes_on.isoformat(),
            "working_days": days,
        },
    )
    return consultation_out(consultation)


@router.get(
    "/nominations/{nomination_id}/consultation",
    summary="The posting and every comment (officers of the proposing agency, council members included)",
)
async def get_consultation(
    nomination_id: str, caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
) -> dict[str, Any]:
    await own_nomination(session, caller=caller, nomination_id=nomination_id)
    consultation = await required_consultation(session, nomination_id)
    comments = await comments_of(session, consultation.id)
    return {**consultation_out(consultation), "comments": [c.model_dump(mode="json") for c in comments]}


@router.get("/public/consultations/{consultation_id}", summary="The public notice (no authentication)")
async def public_notice(
    consultation_id: str, request: Request, session: AsyncSession = Depends(db, scope="function")
) -> dict[str, Any]:
    consultation = await public_consultation(session, consultation_id)
    today = request.app.state.kit.settings.today()
    return {
        **consultation_out(consultation),
        "award_name": default_catalog().award(consultation.award_code).name_vi,
        "open": consultation.posted_on <= today <= consultation.closes_on,
    }


@router.post(
    "/public/consultations/{consultation_id}/comments",
    status_code=201,
    summary="Comment on or complain about a posted nomination (no authentication)",
)
async def file_comment(
    consultation_id: str, body: CommentIn, request: Request, session: AsyncSession = Depends(db, scope="function")
) -> dict[str, Any]:
    today = request.app.state.kit.settings.today()
    comment = await file_public_comment(session, consultation_id, body, today)
    return {
        "id": comment.id,
        "consultation_id": consultation_id,
        "kind": comment.kind,
        "filed_on": comment.filed_on.isoformat(),
        "state": comment.state,
    }


@router.post(
    "/nominations/{nomination_id}/consultation/complaints/{comment_id}/hold",
    summary="Put the nomination on hold while a complaint is checked (chair, admin)",
)
async def hold_for_complaint(
    nomination_id: str,
    comment_id: str,
    body: HoldIn,
    request: Request,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> dict[str, Any]:
    require(caller, "hold_for_complaint")
    complaint = await complaint_of(session, caller, nomination_id, comment_id)
    if complaint.state == "held":
        raise Conflict(f"complaint {comment_id} already holds the nomination")
    complaint.state, complaint.hold_reason = "held", body.reason
    complaint.held_by, complaint.held_at = caller.officer_id, datetime.now(UTC)
    return await _record_and_tell(session, request, caller, complaint, "hold", body.reason)


@router.post(
    "/nominations/{nomination_id}/consultation/complaints/{comment_id}/release",
    summary="Release the hold once the complaint is answered (chair, admin)",
)
async def release_complaint(
    nomination_id: str,
    comment_id: str,
    body: HoldIn,
    request: Request,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> dict[str, Any]:
    require(caller, "hold_for_complaint")
    complaint = await complaint_of(session, caller, nomination_id, comment_id)
    if complaint.state != "held":
        raise Conflict(f"complaint {comment_id} does not hold the nomination (it is {complaint.state})")
    complaint.state, complaint.release_reason = "released", body.reason
    complaint.released_by, complaint.released_at = caller.officer_id, datetime.now(UTC)
    return await _record_and_tell(session, request, caller, complaint, "release", body.reason)


async def _record_and_tell(
    session: AsyncSession, request: Request, caller: Caller, complaint: ConsultationComment, action: str, reason: str
) -> dict[str, Any]:
    """Tell the workflow, then record the hold or release; a refusal records nothing (409).
    A draft has no workflow yet: the record alone then stops its agency from forwarding it.

    The request's transaction ends first: the workflow records the hold with an activity that may
    write to this same database (shared/kit/deps.py, `end_transaction`)."""
    consultation = await session.get(Consultation, complaint.consultation_id)
    assert consultation is not None
    nomination_id, consultation_id = consultation.nomination_id, consultation.id
    changed = complaint.model_dump()
    await session.rollback()  # nothing is written before the workflow has accepted
    port: NominationClient = request.app.state.kit.nominations
    order = HoldInput(agency_code=caller.agency_code, officer_id=caller.officer_id, reason=reason, source="complaint")
    try:
        status = await port.update(nomination_id, HOLD if action == "hold" else RELEASE, order)
    except NominationNotFound:
        status = None
    async with new_transaction(request) as fresh:
        row = await fresh.get(ConsultationComment, changed["id"])
        assert row is not None
        for key, value in changed.items():
            setattr(row, key, value)
        fresh.add(row)
        await append_audit(
            fresh,
            idempotency_key=f"consultation-complaint:{row.id}:{action}:{uuid.uuid4()}",
            at=datetime.now(UTC),
            agency_code=caller.agency_code,
            actor=caller.officer_id,
            action=f"consultation.complaint_{'held' if action == 'hold' else 'released'}",
            outcome=row.state,
            nomination_id=nomination_id,
            reason=reason,
            details={"consultation_id": consultation_id, "comment_id": row.id},
        )
        out = row.model_dump(mode="json")
    return {"complaint": out, "workflow": jsonable_encoder(status)}
