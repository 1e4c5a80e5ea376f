"""The offices' papers of the caller's agency, as DOCX: a decision listing every awardee it conferred
under a number, a tờ trình listing the awardees it proposes. Functions never commit."""

from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.batches.service import batch_out, decision_of, own_batch
from services.kit.identity.service import Caller
from services.kit.papers.render import Awardee, Heading, decision_docx, proposal_docx
from services.kit.registry.service import agency_on
from shared.rules.catalog import default_catalog


def award_name(code: str) -> str:
    award = default_catalog().awards.get(code)
    return award.name_vi if award else code


async def decision_paper(session: AsyncSession, *, caller: Caller, number: str, today: date) -> bytes:
    """Unsigned: the signer's name is left to the office (the paper is printed and signed)."""
    found = await decision_of(session, caller=caller, number=number)
    body = await agency_on(session, caller.agency_code, today)
    name = body.name if body else caller.agency_code
    day = date.fromisoformat(found["decided_on"]) if found["decided_on"] else today
    awardees = [
        Awardee(a["nominee_name"], a["proposer_agency"], award_name(a["award_code"]), a["bonus_amount"])
        for a in found["awardees"]
    ]
    return decision_docx(
        Heading(name, number, name, day, "", "Chủ tịch"), awardees, reason="thành tích xuất sắc",
        basis=["Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022", "Căn cứ Nghị định số 152/2025/NĐ-CP"],
        recipients=["Như Điều 3", "Các cơ quan, đơn vị đề nghị"],
    )  # fmt: skip


async def proposal_paper(session: AsyncSession, *, caller: Caller, batch_id: str, today: date) -> bytes:
    batch = await batch_out(session, await own_batch(session, caller, batch_id))
    body = await agency_on(session, caller.agency_code, today)
    parent = await agency_on(session, body.parent_code, today) if body and body.parent_code else None
    name = body.name if body else caller.agency_code
    awardees = [Awardee(a["nominee_name"], name, award_name(a["award_code"])) for a in batch["awardees"]]
    return proposal_docx(
        Heading(name, batch["number"], name, today, "", "Thủ trưởng"), awardees, title=batch["title"],
        addressee=parent.name if parent else "cấp có thẩm quyền", recipients=["Như trên"],
    )  # fmt: skip
