"""The reporting forms of TT 02/2023/TT-BNV filled for an agency and a range of years: each source
gives one dict of dimension values per item it counts, and the form's definition
(`shared/rules/data/report_forms.yaml`) does the counting, so five forms need one mechanism and
a changed form needs no code (decision 0035). Functions never commit."""

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.councils.models import Council
from services.kit.errors import NotFound
from services.kit.identity.models import Officer
from services.kit.movements.models import LaunchedMovement
from services.kit.registry.models import Agency
from services.kit.statistics.filters import Filters
from services.kit.statistics.service import collective_natures, records_under, stands_under
from shared.rules.calendar import local_date
from shared.rules.catalog import default_catalog
from shared.rules.people import default_people
from shared.rules.report_forms import ReportForm, report_forms

Items = list[dict[str, Any]]
LAUNCHER_LEVELS = {"central": "trung_uong", "province": "bo_tinh"}  # any other tier: co_quan
KINH = "01"


async def tier_of(session: AsyncSession, code: str) -> str:
    """The agency's tier in its latest version (a retired agency keeps the tier it had)."""
    found = await session.exec(select(Agency.tier).where(Agency.code == code).order_by(col(Agency.valid_from).desc()))
    return found.first() or "unknown"


async def award_items(session: AsyncSession, filters: Filters, today: date) -> Items:
    records = await records_under(session, filters, filters.years, today)
    natures = await collective_natures(session, records)
    awards, positions = default_catalog().awards, default_people().positions
    items = []
    for r in records:
        award, position = awards.get(r.award_code), positions.get(r.nominee_position or "")
        items.append({
            "award": r.award_code, "category": award.category if award else "unknown", "level": r.level,
            "kind": r.nominee_kind or "unknown", "collective": natures.get(r.nomination_id),
            "position_row": position.row if position else "unknown", "sex": r.nominee_sex,
            "minority": None if r.nominee_ethnicity is None else r.nominee_ethnicity != KINH, "mode": r.mode,
        })  # fmt: skip
    return items


def duration(starts_on: date, ends_on: date | None) -> str:
    """A movement's length as form 0601 counts it: a year give or take a week is one year."""
    if ends_on is None:
        return "khong_thoi_han"
    days = (ends_on - starts_on).days + 1
    return "duoi_1_nam" if days < 358 else "1_nam" if days <= 373 else "tren_1_nam"


async def movement_items(session: AsyncSession, filters: Filters, today: date) -> Items:
    """The movements launched in those years by the agency (or those under it)."""
    rows = await session.exec(
        select(LaunchedMovement).where(
            col(LaunchedMovement.launched_on) >= date(filters.from_year, 1, 1),
            col(LaunchedMovement.launched_on) <= date(filters.to_year, 12, 31),
        )
    )
    items = []
    for movement in rows.all():
        if await stands_under(session, movement.launcher_agency, filters, today):
            level = LAUNCHER_LEVELS.get(await tier_of(session, movement.launcher_agency), "co_quan")
            items.append({
                "launcher_level": level, "scope": movement.scope, "kind": movement.kind,
                "duration": duration(movement.starts_on, movement.ends_on),
            })  # fmt: skip
    return items


async def council_items(session: AsyncSession, filters: Filters, today: date) -> Items:
    """The councils set up by the end of the range at the agency (or those under it)."""
    rows = await session.exec(select(Council.agency_code, Council.created_at))
    return [
        {"tier": await tier_of(session, code)}
        for code, created in rows.all()
        if local_date(created) <= date(filters.to_year, 12, 31) and await stands_under(session, code, filters, today)
    ]


async def officer_items(session: AsyncSession, filters: Filters, today: date) -> Items:
    """The active officers of the agency (or those under it) today: the system keeps no history of them."""
    rows = await session.exec(select(Officer.agency_code, Officer.role).where(col(Officer.active).is_(True)))
    return [
        {"tier": await tier_of(session, code), "role": role}
        for code, role in rows.all()
        if await stands_under(session, code, filters, today)
    ]


SOURCES: dict[str, Callable[[AsyncSession, Filters, date], Awaitable[Items]]] = {
    "awards": award_items,
    "movements": movement_items,
    "councils": council_items,
    "officers": officer_items,
}


def form_named(code: str) -> ReportForm:
    forms = report_forms()
    if code not in forms:
        raise NotFound(
            f"no reporting form {code[:8]}: one of {', '.join(forms)}",
            vi=f"không có biểu mẫu {code[:8]}: chọn một trong {', '.join(forms)}",
        )
    return forms[code]


async def fill_form(session: AsyncSession, *, code: str, filters: Filters, today: date) -> dict[str, Any]:
    """One form for the filters: its rows and columns with their words, and the cells row by row.
    The award filters (award, mode, kind) narrow the forms that count awards only."""
    form = form_named(code)
    cells = form.fill(await SOURCES[form.source](session, filters, today))
    rows = zip(form.rows, cells, strict=True)
    return {
        "code": form.code, "symbol": form.symbol, "vi": form.vi, "en": form.en, "source": form.source,
        "confirmed": form.confirmed, "agency_code": filters.agency_code,
        "from_year": filters.from_year, "to_year": filters.to_year,
        "columns": [{"code": c.code, "vi": c.vi, "en": c.en, "recorded": c.recorded} for c in form.columns],
        "rows": [{"code": r.code, "vi": r.vi, "en": r.en, "cells": line} for r, line in rows],
    }  # fmt: skip


async def fill_forms(session: AsyncSession, *, filters: Filters, today: date) -> list[dict[str, Any]]:
    return [await fill_form(session, code=code, filters=filters, today=today) for code in report_forms()]
