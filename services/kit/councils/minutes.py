"""The minutes (biên bản) and the ballot result that join the dossier when a council concludes."""

import json
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.consultation.service import consultation_lines
from services.kit.councils.ballots import closed_rounds, public_counts, stored_tally, tally_of
from services.kit.councils.models import Council, CouncilItem, CouncilMeeting
from services.kit.dossier.service import store_level_document
from services.kit.identity.service import Caller
from services.kit.registry.service import agency_on
from shared.platform.audit import append_audit
from shared.rules.ballot import Meeting, Tally, minutes
from shared.rules.catalog import default_catalog


async def conclude(
    session: AsyncSession, council: Council, meeting: CouncilMeeting, item: CouncilItem, caller: Caller, now: datetime
) -> None:
    """Close the item and add the minutes and the ballot result to the nomination's dossier."""
    item.state, item.concluded_at = "concluded", now
    rounds = [tally_of(r, council, meeting) for r in await closed_rounds(session, item)]
    stem = f"{meeting.held_on.isoformat()}-{item.nomination_id[:8]}"
    documents = (
        (
            "bien_ban_hoi_dong",
            f"bien-ban-hoi-dong-{stem}.txt",
            "text/plain; charset=utf-8",
            await minutes_text(session, council, meeting, item, rounds),
        ),
        (
            "ket_qua_bo_phieu",
            f"ket-qua-bo-phieu-{stem}.json",
            "application/json; charset=utf-8",
            ballot_result_json(council, meeting, item, rounds),
        ),
    )
    for kind, filename, content_type, text in documents:
        await store_level_document(
            session,
            nomination_id=item.nomination_id,
            agency_code=council.agency_code,
            kind=kind,
            filename=filename,
            content_type=content_type,
            content=text.encode("utf-8"),
            uploaded_by=caller.officer_id,
        )
    await append_audit(
        session,
        idempotency_key=f"ballot:{item.id}:concluded",
        at=now,
        agency_code=council.agency_code,
        actor=caller.officer_id,
        action="council.ballot_concluded",
        outcome=item.outcome or "",
        nomination_id=item.nomination_id,
        reason=item.chair_reason,
        details={
            "meeting_id": meeting.id,
            "passed": item.passed,
            "rounds": len(rounds),
            **({"last_round": public_counts(stored_tally(rounds[-1]))} if rounds else {}),
        },
    )


CONCLUSION = {
    "passed": "Hội đồng thống nhất đề nghị {award} cho {nominee} (kết quả bỏ phiếu đạt tỷ lệ quy định).",
    "failed": "Hội đồng không đề nghị {award} cho {nominee} (kết quả bỏ phiếu không đạt tỷ lệ quy định).",
    "chair_passed": "Sau {rounds} vòng bỏ phiếu không đạt, Chủ tịch Hội đồng quyết định ĐỀ NGHỊ {award} cho {nominee}.",
    "chair_refused": "Sau {rounds} vòng bỏ phiếu không đạt, Chủ tịch Hội đồng quyết định KHÔNG ĐỀ NGHỊ {award} "
    "cho {nominee}.",
}


def conclusion_of(item: CouncilItem, award_name: str, rounds: int) -> str:
    """The conclusion both documents state; an item concluded without an outcome reads as failed."""
    return CONCLUSION[item.outcome or "failed"].format(award=award_name, nominee=item.nominee_name, rounds=rounds)


async def minutes_text(
    session: AsyncSession, council: Council, meeting: CouncilMeeting, item: CouncilItem, tallies: list[Tally]
) -> str:
    """The biên bản họp hội đồng: the vote-count minutes of each round (`ballot.minutes`), what the
    public consultation raised (complaints are answered in the minutes, domain.md §4.5, §9.4 case
    10), and the conclusion. Counts and receipt hashes only: no member is named next to a choice."""
    award = default_catalog().award(item.award_code).name_vi
    agency = await agency_on(session, council.agency_code, meeting.held_on)
    agency_name = agency.name if agency else council.name
    lines = [
        "BIÊN BẢN HỌP HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG",
        f"{council.name} (cơ quan {council.agency_code})",
        f"Ngày họp: {meeting.held_on:%d/%m/%Y}.",
        f"Nội dung: xét đề nghị {award} ({item.award_code}) cho {item.nominee_name} (hồ sơ {item.nomination_id}).",
        f"Căn cứ: {'; '.join(item.basis)}.",
        "",
    ]
    lines += await consultation_lines(session, item.nomination_id)
    for tally in tallies:
        meeting_round = Meeting(council.agency_code, meeting.held_on, tally.round, frozenset())
        lines += [minutes(meeting_round, tally, agency_name, award, item.nominee_name).rstrip("\n"), ""]
    lines.append("Ghi chú: mã phiếu ghi trên là mã băm SHA-256 của mã phiếu mỗi thành viên tự giữ.")
    lines.append(f"KẾT LUẬN: {conclusion_of(item, award, len(tallies))}")
    if item.chair_reason:
        lines.append(f"Lý do: {item.chair_reason}")
    return "\n".join(lines) + "\n"


def ballot_result_json(council: Council, meeting: CouncilMeeting, item: CouncilItem, tallies: list[Tally]) -> str:
    """The kết quả bỏ phiếu as JSON the next level can read: counts per round, no voter."""
    award = default_catalog().award(item.award_code)
    document = {
        "tai_lieu": "Kết quả bỏ phiếu kín",
        "hoi_dong": council.name,
        "co_quan": council.agency_code,
        "ngay_hop": meeting.held_on.isoformat(),
        "ho_so": item.nomination_id,
        "hinh_thuc": award.name_vi,
        "ma_hinh_thuc": item.award_code,
        "doi_tuong": item.nominee_name,
        "ty_le_dong_y_yeu_cau": f"{item.threshold} tổng số thành viên Hội đồng",
        "ty_le_co_mat_toi_thieu": f"{item.quorum} tổng số thành viên Hội đồng",
        "can_cu": item.basis,
        "cac_vong": [
            {
                "vong": t.round,
                "tong_so_thanh_vien": t.eligible,
                "co_mat": t.present,
                "phieu_van_ban": t.written,
                "tong_so_phieu": t.cast,
                "dong_y": t.yes,
                "khong_dong_y": t.no,
                "khong_bo_phieu": t.eligible - t.cast,
                "so_phieu_dong_y_toi_thieu": t.required_yes,
                "dat": t.passed,
            }
            for t in tallies
        ],
        "ket_luan": conclusion_of(item, award.name_vi, len(tallies)),
        "dat": item.passed,
        "ly_do_cua_chu_tich": item.chair_reason,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
