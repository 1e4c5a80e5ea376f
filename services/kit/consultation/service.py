"""service."""

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.consultation.models import Consultation, ConsultationComment
from services.kit.errors import NotFound
from services.kit.identity.service import Caller
from services.kit.nominations.service import own_nomination

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
