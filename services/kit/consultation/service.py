"""Public consultation (công khai): the posting of a nomination, its comments and complaints. Functions never commit."""

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.consultation.models import Consultation, ConsultationComment
from services.kit.consultation.schemas import CommentIn
from services.kit.errors import Conflict, NotFound
from services.kit.identity.service import Caller
from services.kit.nominations.service import own_nomination
from shared.platform.audit import append_audit

PUBLIC = "public"  # the actor of comments filed without an account


async def consultation_of(session: AsyncSession, nomination_id: str) -> Consultation | None:
    found = await session.exec(select(Consultation).where(Consultation.nomination_id == nomination_id))
    return found.first()


async def held_complaints(session: AsyncSession, consultation_id: str) -> list[ConsultationComment]:
    """Complaints that hold the nomination and have not been answered (released)."""
    return [c for c in await comments_of(session, consultation_id) if c.kind == "complaint" and c.state == "held"]


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
    comments = await comments_of(session, consultation.id)
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


def consultation_out(consultation: Consultation) -> dict[str, Any]:
    return consultation.model_dump(mode="json", exclude={"opened_by", "opened_at"})


async def required_consultation(session: AsyncSession, nomination_id: str) -> Consultation:
    consultation = await consultation_of(session, nomination_id)
    if consultation is None:
        raise NotFound(f"no public posting is recorded for nomination {nomination_id}")
    return consultation


async def public_consultation(session: AsyncSession, consultation_id: str) -> Consultation:
    consultation = await session.get(Consultation, consultation_id)
    if consultation is None:
        raise NotFound(f"no public consultation {consultation_id}")
    return consultation


async def comments_of(session: AsyncSession, consultation_id: str) -> list[ConsultationComment]:
    rows = await session.exec(
        select(ConsultationComment)
        .where(ConsultationComment.consultation_id == consultation_id)
        .order_by(col(ConsultationComment.filed_at))
    )
    return list(rows.all())


async def complaint_of(
    session: AsyncSession, caller: Caller, nomination_id: str, comment_id: str
) -> ConsultationComment:
    await own_nomination(session, caller=caller, nomination_id=nomination_id)
    consultation = await required_consultation(session, nomination_id)
    comment = await session.get(ConsultationComment, comment_id)
    if comment is None or comment.consultation_id != consultation.id or comment.kind != "complaint":
        raise NotFound(f"no complaint {comment_id} in the consultation on nomination {nomination_id}")
    return comment


async def file_public_comment(
    session: AsyncSession, consultation_id: str, body: CommentIn, today: date
) -> ConsultationComment:
    """A comment or complaint from anyone, while the posting is open; who wrote it stays out of the
    audit chain (append-only), so that their name and contact can be erased."""
    consultation = await public_consultation(session, consultation_id)
    if today > consultation.closes_on:
        raise Conflict(
            f"the consultation closed on {consultation.closes_on}: comments were taken from "
            f"{consultation.posted_on} to the end of {consultation.closes_on}",
        )
    if today < consultation.posted_on:
        raise Conflict(f"the consultation opens on {consultation.posted_on}")
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
    return comment
