"""Candidates for the base titles (Lao động tiên tiến, Chiến sĩ thi đua cơ sở, Tập thể lao động tiên
tiến) imported from a CSV or XLSX file into a tờ trình: every row is checked and reported (row, field,
what is wrong, in Vietnamese and English); if any row is wrong nothing is created; a dry run creates
nothing. Each good row becomes a draft of the tờ trình. Functions never commit."""

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import structlog
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.batches.service import MAX_AWARDEES, members, own_batch
from services.kit.errors import Conflict, DomainError, Invalid
from services.kit.identity.service import Caller
from services.kit.nominees.management import require_manager
from services.kit.proposals.service import create_draft
from services.kit.sheets import Columns, read_table
from shared.text import fold

log = structlog.get_logger()

COLUMNS: Columns = {
    "nominee_name": ("Họ tên / tên tập thể", "ho ten", "ten tap the", "name", "nominee"),
    "kind": ("Cá nhân hay tập thể", "loai doi tuong", "doi tuong", "kind"),
    "award_code": ("Danh hiệu đề nghị", "danh hieu", "award"),
    "reason": ("Thành tích", "thanh tich", "ly do", "reason"),
    "nominee_id": ("Mã định danh", "ma dinh danh", "cccd", "nominee id"),
    "period_year": ("Năm", "nam", "year"),
}
REQUIRED = ("nominee_name", "award_code", "reason")
# The base titles, by code or by their name as offices write it; and who may receive each.
TITLES = {
    "LAO_DONG_TIEN_TIEN": ("individual", ("lao dong tien tien", "ldtt")),
    "CSTD_CO_SO": ("individual", ("chien si thi dua co so", "cstdcs")),
    "TT_LAO_DONG_TIEN_TIEN": ("collective", ("tap the lao dong tien tien", "ttldtt")),
}
BY_NAME = {name: code for code, (_, names) in TITLES.items() for name in (fold(code), *names)}
KINDS = {"ca nhan": "individual", "individual": "individual", "tap the": "collective", "collective": "collective"}


@dataclass(frozen=True)
class RowProblem:
    row: int
    field: str
    vi: str
    en: str


def award_of(written: str) -> str | None:
    return BY_NAME.get(fold(written).replace("_", " ").strip()) or BY_NAME.get(fold(written))


def row_problems(row: int, fields: dict[str, str], today: date) -> tuple[list[RowProblem], str | None, str | None]:
    """What is wrong with a row by itself; its award and the nominee's kind where readable."""
    found = [
        RowProblem(row, f, f"ô '{COLUMNS[f][0]}' bị để trống", f"'{COLUMNS[f][0]}' is empty")
        for f in REQUIRED
        if not fields.get(f)
    ]
    written = fields.get("award_code", "")
    award = award_of(written) if written else None
    if written and award is None:
        vi = f"'{written}' không phải danh hiệu cơ sở (LĐTT, CSTĐCS, TTLĐTT)"
        found.append(RowProblem(row, "award_code", vi, f"'{written}' is not a base title ({', '.join(TITLES)})"))
    given = fields.get("kind", "")
    kind = KINDS.get(fold(given)) if given else (TITLES[award][0] if award else None)
    if given and kind is None:
        found.append(
            RowProblem(row, "kind", f"'{given}': ghi 'Cá nhân' hoặc 'Tập thể'", f"'{given}': individual or collective")
        )
    elif award and kind and kind != TITLES[award][0]:
        who = "cá nhân" if TITLES[award][0] == "individual" else "tập thể"
        found.append(RowProblem(row, "kind", f"danh hiệu này dành cho {who}", f"{award} is for a {TITLES[award][0]}"))
    year = fields.get("period_year", "")
    if year and not (year.isdigit() and 2000 <= int(year) <= today.year):
        vi, en = f"năm '{year}' không hợp lệ (2000 đến {today.year})", f"year '{year}' is not 2000..{today.year}"
        found.append(RowProblem(row, "period_year", vi, en))
    return found, award, kind


async def read_candidates(
    session: AsyncSession, caller: Caller, fields_by_row: list[tuple[int, dict[str, str]]], today: date
) -> tuple[list[dict[str, Any]], list[RowProblem]]:
    """Each row as a draft's fields, and every problem of every row."""
    drafts: list[dict[str, Any]] = []
    problems: list[RowProblem] = []
    seen: dict[tuple[str, str | None, str | None], int] = {}
    for row, fields in fields_by_row:
        found, award, kind = row_problems(row, fields, today)
        nominee_id = fields.get("nominee_id") or None
        if nominee_id:
            try:
                await require_manager(session, caller, nominee_id, today)
            except DomainError as refusal:
                found.append(
                    RowProblem(row, "nominee_id", f"mã định danh {nominee_id}: {refusal}", f"{nominee_id}: {refusal}")
                )
        key = (fold(fields.get("nominee_name", "")), award, nominee_id)
        if not found and key in seen:
            found.append(RowProblem(row, "nominee_name", f"trùng với dòng {seen[key]}", f"the same as row {seen[key]}"))
        seen.setdefault(key, row)
        problems += found
        if not found:
            year = fields.get("period_year", "")
            drafts.append(
                {
                    "nominee_name": fields["nominee_name"], "nominee_kind": kind, "award_code": award,
                    "reason": fields["reason"], "nominee_id": nominee_id, "period_year": int(year) if year else None,
                }
            )  # fmt: skip
    return drafts, problems


async def import_candidates(
    session: AsyncSession, *, caller: Caller, batch_id: str, filename: str, content: bytes, dry_run: bool, today: date
) -> dict[str, Any]:
    batch = await own_batch(session, caller, batch_id)
    if batch.submitted_at is not None:
        raise Conflict(f"tờ trình {batch.number} is submitted", vi=f"tờ trình {batch.number} đã trình")
    sheet = read_table(filename, content, COLUMNS, REQUIRED, progress=lambda n: log.info("candidates.read", rows=n))
    drafts, problems = await read_candidates(session, caller, sheet.rows, today)
    report = {
        "rows": len(sheet.rows),
        "valid": len(drafts),
        "problems": [asdict(p) for p in problems],
        "dry_run": dry_run,
    }
    wrong = len({p.row for p in problems})
    if problems:
        raise Invalid(
            {"message": f"{wrong} of {len(sheet.rows)} rows are wrong: nothing was imported", **report},
            vi=f"{wrong}/{len(sheet.rows)} dòng chưa đúng: chưa nhập dòng nào",
        )
    if len(await members(session, batch)) + len(drafts) > MAX_AWARDEES:
        raise Invalid(
            f"a tờ trình holds at most {MAX_AWARDEES} candidates", vi=f"mỗi tờ trình tối đa {MAX_AWARDEES} đối tượng"
        )
    if not dry_run:
        for number, fields in enumerate(drafts, start=1):
            draft = await create_draft(session, caller=caller, on=today, **fields)
            draft.batch_id = batch.id
            if number % 1000 == 0:
                log.info("candidates.created", batch=batch.number, created=number, of=len(drafts))
    return {**report, "created": 0 if dry_run else len(drafts)}
