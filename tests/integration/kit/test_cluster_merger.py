"""The 2025 merger (domain.md §8): a cụm of south-western provinces organised by the Central Board,
with Kiên Giang and An Giang among its members, ranks its 2024; on 2025-07-01 the two provinces
become the new An Giang (code 91), the cụm is closed and a new one formed. The old ranking stays
with the provinces that earned it, under the names they had; the new An Giang's statistics compare
its 2025 with the sum of Kiên Giang's and old An Giang's 2024. In process, SQLite and PostgreSQL."""

import io
from datetime import date
from itertools import count

from openpyxl import load_workbook
from sqlmodel import select

from services.kit.nominees.models import NomineeFact
from services.kit.statistics.handlers import STATISTICS_HANDLERS
from shared.contracts.events import AwardConferred, envelope_for
from shared.contracts.tiers import Tier
from tests.helpers import auth

BOARD = auth("TW-BTDKT", "chair")
OLD, NEW = "TW-CUM-TAY-NAM-BO", "TW-CUM-TAY-NAM-BO-2025"
KIEN_GIANG, AN_GIANG_OLD, CAN_THO, SOC_TRANG, VINH_LONG = "P91", "P89", "P92", "P94", "P86"
MEMBERS_2024 = [AN_GIANG_OLD, KIEN_GIANG, CAN_THO, SOC_TRANG, VINH_LONG]  # in the order they rank
CRITERIA = [{"code": "tong_hop", "text": "Kết quả thực hiện giao ước", "max_points": 100}]
ids = count(1)


def travel(client, day: date) -> None:  # type: ignore[no-untyped-def]
    kit = client._transport.app.state.kit
    kit.settings = kit.settings.model_copy(update={"business_date": day})


async def rank_2024(client) -> None:  # type: ignore[no-untyped-def]
    form = {"code": OLD, "name": "Cụm thi đua các tỉnh, thành phố Tây Nam Bộ", "kind": "cum", "formed_on": "2020-01-01"}
    assert (await client.post("/clusters", headers=BOARD, json=form)).status_code == 201
    for code in MEMBERS_2024:
        added = await client.post(
            f"/clusters/{OLD}/members", headers=BOARD, json={"agency_code": code, "starts_on": "2020-01-01"}
        )
        assert added.status_code == 201, added.text
    year = {"year": 2024, "pledge_items": ["Hoàn thành các chỉ tiêu kinh tế - xã hội"], "criteria": CRITERIA}
    assert (await client.post(f"/clusters/{OLD}/years", headers=BOARD, json=year)).status_code == 201
    for code, points in zip(MEMBERS_2024, [95, 92, 90, 85, 80], strict=True):
        assert (
            await client.post(f"/clusters/{OLD}/years/2024/signatures", headers=BOARD, json={"agency_code": code})
        ).status_code == 201
        final = {"agency_code": code, "kind": "final", "points": {"tong_hop": points}}
        assert (await client.post(f"/clusters/{OLD}/years/2024/scores", headers=BOARD, json=final)).status_code == 201
    ranked = await client.post(f"/clusters/{OLD}/years/2024/ranking", headers=BOARD, json={"propose": False})
    assert ranked.status_code == 200, ranked.text


async def ranks_of(sessions, code: str) -> list[tuple[int, str, int]]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        rows = (await session.exec(select(NomineeFact).where(NomineeFact.nominee_id == code))).all()
    return [(f.fact["year"], f.fact["cluster_code"], f.fact["rank"]) for f in rows if f.fact["kind"] == "cluster_rank"]


async def test_the_cum_is_closed_and_reformed_and_its_history_stays_with_who_earned_it(tier_http):
    client, sessions = await tier_http(Tier.CENTRAL, business_date=date(2025, 1, 20))
    await rank_2024(client)

    travel(client, date(2025, 7, 1))
    form = {"code": NEW, "name": "Cụm thi đua các tỉnh, thành phố Tây Nam Bộ", "kind": "cum", "formed_on": "2025-07-01"}
    assert (await client.post("/clusters", headers=BOARD, json=form)).status_code == 201
    for code in (KIEN_GIANG, CAN_THO, VINH_LONG):  # P91 is the new An Giang; P92 the new Cần Thơ
        added = await client.post(
            f"/clusters/{NEW}/members", headers=BOARD, json={"agency_code": code, "starts_on": "2025-07-01"}
        )
        assert added.status_code == 201, added.text
    gone = await client.post(
        f"/clusters/{NEW}/members", headers=BOARD, json={"agency_code": AN_GIANG_OLD, "starts_on": "2025-07-01"}
    )
    assert gone.status_code == 422 and "unknown agency P89 on 2025-07-01" in gone.json()["detail"]
    closed = await client.post(
        f"/clusters/{OLD}/close", headers=BOARD,
        json={"on": "2025-07-01", "note": "Sắp xếp đơn vị hành chính cấp tỉnh năm 2025", "successors": [NEW]},
    )  # fmt: skip
    assert closed.status_code == 200, closed.text

    old = (await client.get(f"/clusters/{OLD}", headers=BOARD)).json()
    assert old["closed_on"] == "2025-07-01" and old["successors"] == [NEW] and old["members_on"]["codes"] == []
    assert {m["ends_on"] for m in old["members"]} == {"2025-06-30"}
    ranking = old["years"][0]["ranking"]
    assert [(r["agency_code"], r["rank"]) for r in ranking] == [(c, i) for i, c in enumerate(MEMBERS_2024, 1)]
    # Under the names they had when they earned it: P91 is "Tỉnh An Giang" now, it ranked as Kiên Giang.
    assert [r["agency_name"] for r in ranking[:2]] == ["Tỉnh An Giang", "Tỉnh Kiên Giang"]
    assert await ranks_of(sessions, AN_GIANG_OLD) == [(2024, OLD, 1)]
    assert await ranks_of(sessions, KIEN_GIANG) == [(2024, OLD, 2)]  # old An Giang's lead is not moved to P91
    new = (await client.get(f"/clusters/{NEW}", headers=BOARD)).json()
    assert new["members_on"]["codes"] == sorted([KIEN_GIANG, CAN_THO, VINH_LONG]) and new["years"] == []
    late = {"year": 2026, "pledge_items": ["Hoàn thành chỉ tiêu"], "criteria": CRITERIA}
    assert (await client.post(f"/clusters/{OLD}/years", headers=BOARD, json=late)).status_code == 409  # closed


def conferred(award: str, year: int, proposer: str, kind: str = "collective") -> AwardConferred:
    n = next(ids)
    return AwardConferred(
        nomination_id=f"m-{n}", award_code=award, nominee_name=f"Tập thể {n}", proposer_agency=proposer,
        agency_code=proposer if proposer.startswith("P") else "P91", step=1, actor="P91:chair",
        decision_no=f"{n}/QĐ-UBND", decided_on=f"{year}-12-15", nominee_kind=kind, mode="cong_trang",
    )  # fmt: skip


async def test_the_new_an_giang_compares_its_2025_with_both_predecessors_2024(tier_http):
    client, sessions = await tier_http(Tier.PROVINCE, business_date=date(2026, 1, 20))
    awards = [
        # 2024, Kiên Giang: a flag and two Bằng khen (the province, a school under Hòn Đất).
        conferred("CO_THI_DUA_TINH", 2024, KIEN_GIANG), *(conferred("BANG_KHEN_TINH", 2024, "U91-0001") for _ in "ab"),
        # 2024, old An Giang: a flag and a Bằng khen (the province, Long Xuyên city).
        conferred("CO_THI_DUA_TINH", 2024, AN_GIANG_OLD), conferred("BANG_KHEN_TINH", 2024, "D883"),
        # 2025, the new An Giang: two flags and four Bằng khen.
        *(conferred("CO_THI_DUA_TINH", 2025, KIEN_GIANG) for _ in "ab"),
        *(conferred("BANG_KHEN_TINH", 2025, KIEN_GIANG) for _ in "abcd"),
        # Not An Giang's: Cần Thơ's 2024 flag.
        conferred("CO_THI_DUA_TINH", 2024, CAN_THO),
    ]  # fmt: skip
    for event in awards:
        envelope = envelope_for(event, source_agency=event.agency_code, occurred_at=date(2026, 1, 20))  # type: ignore[arg-type]
        async with sessions() as session, session.begin():
            await STATISTICS_HANDLERS[event.type](session, envelope, event)

    report = (await client.get("/statistics/report", params={"year": 2025}, headers=auth(KIEN_GIANG, "clerk"))).json()
    now, before = report["this_year"], report["previous_year"]
    assert (before["total"], now["total"], report["change"]["total"]) == (3 + 2, 6, 1)
    assert before["by_award"] == {"BANG_KHEN_TINH": 3, "CO_THI_DUA_TINH": 2}
    assert now["by_award"] == {"BANG_KHEN_TINH": 4, "CO_THI_DUA_TINH": 2}
    # The year before, by the province each award was proposed in then.
    assert report["previous_year_by_predecessor"] == [
        {"agency_code": AN_GIANG_OLD, "name": "Tỉnh An Giang", "total": 2},
        {"agency_code": KIEN_GIANG, "name": "Tỉnh Kiên Giang", "total": 3},
    ]
    sheet = await client.get("/statistics/report.xlsx", params={"year": 2025}, headers=auth(KIEN_GIANG, "clerk"))
    rows = {
        r[0]: r[1:] for r in load_workbook(io.BytesIO(sheet.content))["Tổng hợp"].iter_rows(min_row=3, values_only=True)
    }
    assert rows["Tổng số khen thưởng"] == (5, 6, 1)
    assert rows["Trong đó năm 2024: Tỉnh An Giang (P89)"] == (2, None, None)
    assert rows["Trong đó năm 2024: Tỉnh Kiên Giang (P91)"] == (3, None, None)
