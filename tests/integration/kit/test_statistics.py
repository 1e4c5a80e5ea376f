"""A province's year in figures, from known awards (in process, SQLite and PostgreSQL): counts by
level and kind, the direct-worker share among individuals at state and provincial level, the change
on the year before, each figure computed by hand here; the same numbers in the XLSX read back with
openpyxl; an award proposed outside the province, and a revoked one, not counted; another agency
sees nothing of it."""

import io
from datetime import date
from itertools import count

from openpyxl import load_workbook

from services.kit.console.session import COOKIE
from services.kit.statistics.handlers import STATISTICS_HANDLERS
from shared.contracts.events import AwardConferred, AwardRevoked, envelope_for
from shared.contracts.tiers import Tier
from tests.helpers import auth

TODAY = date(2026, 1, 20)
ids = count(1)


def conferred(
    award: str, year: int, *, kind: str = "individual", position: str | None = None, proposer: str = "U91-0001"
) -> AwardConferred:
    n = next(ids)
    return AwardConferred(
        nomination_id=f"n-{n}", award_code=award, nominee_name=f"Người {n}", proposer_agency=proposer,
        agency_code="P91", step=1, actor="P91:chair", decision_no=f"{n}/QĐ-UBND", decided_on=f"{year}-12-15",
        nominee_kind=kind, nominee_position=position, mode="cong_trang",
    )  # fmt: skip


async def apply(sessions, event) -> None:  # type: ignore[no-untyped-def]
    envelope = envelope_for(event, source_agency="P91", occurred_at=TODAY)  # type: ignore[arg-type]
    async with sessions() as session, session.begin():
        await STATISTICS_HANDLERS[event.type](session, envelope, event)


async def test_a_provinces_year_in_figures_computed_by_hand(tier_http):
    client, sessions = await tier_http(Tier.PROVINCE, business_date=TODAY)
    state, province = "BANG_KHEN_TTG", "BANG_KHEN_TINH"  # catalog levels: nha_nuoc, bo_tinh
    awards = [
        # 2024: state level 2 individuals (1 direct worker); province level 4 (3 direct) and a flag.
        conferred(state, 2024, position="giao_vien"),
        conferred(state, 2024, position="lanh_dao_so"),
        *(conferred(province, 2024, position=p) for p in ("cong_nhan", "nong_dan", "y_te", "lanh_dao_khac")),
        conferred("CO_THI_DUA_TINH", 2024, kind="collective"),
        # 2025: state level 3 individuals (2 direct); province level 5 (4 direct), 2 collectives.
        *(conferred(state, 2025, position=p) for p in ("chien_si", "hoc_sinh", "doanh_nhan")),
        *(conferred(province, 2025, position=p) for p in ("cong_nhan", "giao_vien", "y_te", "nong_dan", "lanh_dao_so")),
        conferred(province, 2025, kind="collective"),
        conferred("CO_THI_DUA_TINH", 2025, kind="collective"),
        # Not counted: proposed by a ministry's unit, outside the province; and one revoked.
        conferred(province, 2025, position="cong_nhan", proposer="U-BGDDT-0001"),
    ]
    revoked = conferred(province, 2025, position="cong_nhan")
    for event in [*awards, revoked]:
        await apply(sessions, event)
    await apply(sessions, AwardRevoked(
        nomination_id=revoked.nomination_id, award_code=province, nominee_name=revoked.nominee_name,
        proposer_agency="U91-0001", agency_code="P91", decision_no="99/QĐ-UBND",
        original_decision_no=revoked.decision_no, decided_on="2025-12-30", actor="P91:chair", ground="b",
    ))  # fmt: skip

    answer = await client.get("/statistics/report", params={"year": 2025}, headers=auth("P91", "clerk"))
    assert answer.status_code == 200, answer.text
    report = answer.json()
    now, before = report["this_year"], report["previous_year"]
    assert (before["total"], now["total"], report["change"]["total"]) == (7, 10, 3)
    assert now["by_level"]["nha_nuoc"] == {"individual": 3}
    assert now["by_level"]["bo_tinh"] == {"individual": 5, "collective": 2}
    assert before["direct_counts"]["nha_nuoc"] == [1, 2] and now["direct_counts"]["nha_nuoc"] == [2, 3]
    assert before["direct_counts"]["bo_tinh"] == [3, 4] and now["direct_counts"]["bo_tinh"] == [4, 5]
    assert report["change"]["direct_share_points"] == {"nha_nuoc": 16.7, "bo_tinh": 5.0, "co_so": None}
    assert now["by_award"] == {province: 6, state: 3, "CO_THI_DUA_TINH": 1}

    sheet = await client.get("/statistics/report.xlsx", params={"year": 2025}, headers=auth("P91", "clerk"))
    book = load_workbook(io.BytesIO(sheet.content))
    rows = {row[0]: row[1:] for row in book["Tổng hợp"].iter_rows(min_row=3, values_only=True)}
    assert rows["Tổng số khen thưởng"] == (7, 10, 3)
    assert rows["Cấp Nhà nước: tỷ lệ người trực tiếp lao động, công tác (%)"] == (50.0, 66.7, 16.7)
    assert rows["Cấp bộ, ngành, tỉnh: tỷ lệ người trực tiếp lao động, công tác (%)"] == (75.0, 80.0, 5.0)
    chart = await client.get("/statistics/report.svg", params={"year": 2025}, headers=auth("P91", "clerk"))
    assert chart.headers["content-type"].startswith("image/svg+xml") and "<title>2025: 7</title>" in chart.text

    other = await client.get(
        "/statistics/report", params={"year": 2025, "agency": "P91"}, headers=auth("B-BNV", "chair")
    )
    assert other.status_code == 404
    own = (await client.get("/statistics/report", params={"year": 2025}, headers=auth("B-BNV", "chair"))).json()
    assert own["this_year"]["total"] == 0  # the only award outside the province is under another ministry


async def test_the_statistics_page_shows_the_table_the_chart_and_the_download(tier_http):
    client, sessions = await tier_http(Tier.PROVINCE, business_date=TODAY)
    for event in (
        conferred("BANG_KHEN_TINH", 2024, position="cong_nhan"),
        conferred("BANG_KHEN_TINH", 2025, position="giao_vien"),
    ):
        await apply(sessions, event)
    client.cookies.set(COOKIE, "demo-P91-clerk")
    page = await client.get("/console/statistics", params={"year": "2025"})
    assert page.status_code == 200 and "<svg" in page.text and 'id="summary"' in page.text
    assert (
        "Bằng khen của Chủ tịch UBND tỉnh" in page.text
        or "BANG_KHEN_TINH" not in page.text.split('id="by-award"')[1][:50]
    )
    assert "/console/statistics.xlsx?from_year=2025&amp;to_year=2025&amp;agency=P91&amp;subordinates=1" in page.text
    download = await client.get("/console/statistics.xlsx", params={"year": "2025"})  # with the session cookie
    assert download.status_code == 200 and download.headers["content-type"].startswith("application/vnd.openxml")
    refused = await client.get("/console/statistics", params={"year": "2025", "agency": "B-BNV"})
    assert refused.status_code == 404
