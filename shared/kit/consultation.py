"""Public consultation (công khai, lấy ý kiến) before the proposer's council meets (domain.md §4.5, §9.4 case 10).

The proposer records where and when it posted the nomination; the window is counted in working days
on the Vietnamese calendar and comments are taken to the end of its last day (`closes_on`). The
public comments without an account. A complaint can put the nomination on hold through the
workflow port and is released the same way once answered; the hold is also recorded here, because
a draft has no workflow yet and its own agency's readiness check (`readiness.py`) must still see it.
"""

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.encoders import jsonable_encoder
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.audit import append_audit
from shared.kit.auth import Caller, current_officer, require_role
from shared.kit.council_models import CommentIn, Consultation, ConsultationComment, ConsultationIn, HoldIn
from shared.kit.deps import db, new_transaction
from shared.kit.nominations import DecisionRejected, NominationNotFound
from shared.kit.service import _problem, own_nomination
from shared.rules.calendar import default_calendar
from shared.rules.catalog import default_catalog
from workflows.nomination.inputs import HoldInput

router = APIRouter(tags=["consultation"])
POSTING_ROLES = ("clerk", "chair")
HOLDING_ROLES = ("chair", "admin")
PUBLIC = "public"  # the actor of comments filed without an account


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
) -> dict[str, Any]:
    require_role(caller, *POSTING_ROLES)
    nomination = await own_nomination(session, caller=caller, nomination_id=nomination_id)
    award = default_catalog().award(nomination.award_code)
    posting = award.public_posting
    if not posting.required or posting.working_days is None:
        raise _problem(409, f"{award.name_vi} ({award.code}) needs no public posting (catalog: public_posting)")
    if posting.by == "central_board":
        raise _problem(409, f"{award.name_vi} is put to public consultation by the Central Board, not the proposer")
    days = body.working_days or posting.working_days
    if days < posting.working_days:
        raise _problem(422, f"{award.name_vi} must be posted for at least {posting.working_days} working days")
    if await consultation_of(session, nomination_id) is not None:
        raise _problem(409, f"the public posting of nomination {nomination_id} is already recorded")
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
    return _consultation_out(consultation)


@router.get(
    "/nominations/{nomination_id}/consultation",
    summary="The posting and every comment (officers of the proposing agency, council members included)",
)
async def get_consultation(
    nomination_id: str, caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
) -> dict[str, Any]:
    await own_nomination(session, caller=caller, nomination_id=nomination_id)
    consultation = await _required(session, nomination_id)
    comments = await _comments(session, consultation.id)
    return {**_consultation_out(consultation), "comments": [c.model_dump(mode="json") for c in comments]}


@router.get("/public/consultations/{consultation_id}", summary="The public notice (no authentication)")
async def public_notice(
    consultation_id: str, request: Request, session: AsyncSession = Depends(db, scope="function")
) -> dict[str, Any]:
    consultation = await _public(session, consultation_id)
    today = request.app.state.kit.settings.today()
    return {
        **_consultation_out(consultation),
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
    consultation = await _public(session, consultation_id)
    today = request.app.state.kit.settings.today()
    if today > consultation.closes_on:
        raise _problem(
            409,
            f"the consultation closed on {consultation.closes_on}: comments were taken from "
            f"{consultation.posted_on} to the end of {consultation.closes_on}",
        )
    if today < consultation.posted_on:
        raise _problem(409, f"the consultation opens on {consultation.posted_on}")
    comment = ConsultationComment(
        id=str(uuid.uuid4()),
        consultation_id=consultation_id,
        author_name=body.author_name,
        contact=body.contact,
        text=body.text,
        kind=body.kind,
        filed_on=today,
        filed_at=datetime.now(UTC),
    )
    session.add(comment)
    # The chain is append-only: names, contacts and text stay out of it, so that they can be erased.
    await append_audit(
        session,
        idempotency_key=f"consultation-comment:{comment.id}",
        at=comment.filed_at,
        agency_code=consultation.agency_code,
        actor=PUBLIC,
        action="consultation.comment_filed",
        outcome=body.kind,
        nomination_id=consultation.nomination_id,
        details={"consultation_id": consultation_id, "comment_id": comment.id, "kind": body.kind},
    )
    return {
        "id": comment.id,
        "consultation_id": consultation_id,
        "kind": comment.kind,
        "filed_on": today.isoformat(),
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
    require_role(caller, *HOLDING_ROLES)
    complaint = await _complaint(session, caller, nomination_id, comment_id)
    if complaint.state == "held":
        raise _problem(409, f"complaint {comment_id} already holds the nomination")
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
    require_role(caller, *HOLDING_ROLES)
    complaint = await _complaint(session, caller, nomination_id, comment_id)
    if complaint.state != "held":
        raise _problem(409, f"complaint {comment_id} does not hold the nomination (it is {complaint.state})")
    complaint.state, complaint.release_reason = "released", body.reason
    complaint.released_by, complaint.released_at = caller.officer_id, datetime.now(UTC)
    return await _record_and_tell(session, request, caller, complaint, "release", body.reason)


async def consultation_of(session: AsyncSession, nomination_id: str) -> Consultation | None:
    found = await session.exec(select(Consultation).where(Consultation.nomination_id == nomination_id))
    return found.first()


async def held_complaints(session: AsyncSession, consultation_id: str) -> list[ConsultationComment]:
    """Complaints that hold the nomination and have not been answered (released)."""
    return [c for c in await _comments(session, consultation_id) if c.kind == "complaint" and c.state == "held"]


_COMPLAINT_STATE = {
    "filed": "Hội đồng xem xét, trả lời tại cuộc họp (hồ sơ không bị tạm dừng).",
    "held": "hồ sơ đang tạm dừng để xác minh: {hold}.",
    "released": "đã xác minh, trả lời; hồ sơ tiếp tục được xét: {release}.",
}


async def consultation_lines(session: AsyncSession, nomination_id: str) -> list[str]:
    """The consultation's part of the council minutes: where and how long it was posted, how many
    comments came in, and each complaint with how it was handled (domain.md §4.5)."""
    consultation = await consultation_of(session, nomination_id)
    if consultation is None:
        return []
    comments = await _comments(session, consultation.id)
    complaints = [c for c in comments if c.kind == "complaint"]
    lines = [
        "KẾT QUẢ CÔNG KHAI, LẤY Ý KIẾN",
        f"Đăng công khai từ ngày {consultation.posted_on:%d/%m/%Y} đến hết ngày {consultation.closes_on:%d/%m/%Y} "
        f"({consultation.working_days} ngày làm việc) tại: {consultation.channel}.",
        f"Ý kiến nhận được: {len(comments) - len(complaints)} góp ý; {len(complaints)} khiếu nại, phản ánh.",
    ]
    for c in complaints:
        handling = _COMPLAINT_STATE[c.state].format(hold=c.hold_reason, release=c.release_reason)
        lines += [f"- Khiếu nại, phản ánh ngày {c.filed_on:%d/%m/%Y} (mã {c.id}): {c.text}", f"  Xử lý: {handling}"]
    return [*lines, ""]


def _consultation_out(consultation: Consultation) -> dict[str, Any]:
    return consultation.model_dump(mode="json", exclude={"opened_by", "opened_at"})


async def _required(session: AsyncSession, nomination_id: str) -> Consultation:
    consultation = await consultation_of(session, nomination_id)
    if consultation is None:
        raise _problem(404, f"no public posting is recorded for nomination {nomination_id}")
    return consultation


async def _public(session: AsyncSession, consultation_id: str) -> Consultation:
    consultation = await session.get(Consultation, consultation_id)
    if consultation is None:
        raise _problem(404, f"no public consultation {consultation_id}")
    return consultation


async def _comments(session: AsyncSession, consultation_id: str) -> list[ConsultationComment]:
    rows = await session.exec(
        select(ConsultationComment)
        .where(ConsultationComment.consultation_id == consultation_id)
        .order_by(ConsultationComment.filed_at)
    )  # type: ignore[arg-type]
    return list(rows.all())


async def _complaint(session: AsyncSession, caller: Caller, nomination_id: str, comment_id: str) -> ConsultationComment:
    await own_nomination(session, caller=caller, nomination_id=nomination_id)
    consultation = await _required(session, nomination_id)
    comment = await session.get(ConsultationComment, comment_id)
    if comment is None or comment.consultation_id != consultation.id or comment.kind != "complaint":
        raise _problem(404, f"no complaint {comment_id} in the consultation on nomination {nomination_id}")
    return comment


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
    port = request.app.state.kit.nominations
    order = HoldInput(agency_code=caller.agency_code, officer_id=caller.officer_id, reason=reason, source="complaint")
    try:
        status = await getattr(port, action)(nomination_id, order)
    except DecisionRejected as err:
        raise _problem(409, str(err)) from None
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
