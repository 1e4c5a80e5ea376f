"""Emulation movements through HTTP (real routers and databases, SQLite and PostgreSQL): the province
launches one, the school under it registers at its own service with a pledge that must hold every
mandatory criterion, the launcher reviews it, records a model example and moves it to its awards;
every service keeps the newest snapshot and the registrations, whatever order the events arrive in;
and a thematic award of a launched movement routes to its launcher."""

from datetime import date

from sqlmodel import col, select

from services.kit.handlers import KIT_HANDLERS
from shared.contracts.events import Envelope, parse_event
from shared.contracts.tiers import Tier
from shared.platform.outbox import OutboxEvent
from tests.helpers import auth

TODAY = date(2025, 5, 15)  # before the 2025 merger: the school sits under Hòn Đất, under Kiên Giang (P91)
PLAN = {
    "name": "Phong trào thi đua chuyển đổi số năm 2025",
    "theme": "Đẩy mạnh chuyển đổi số trong trường học",
    "kind": "chuyen_de",
    "scope": "bo_tinh",
    "starts_on": "2025-05-01",
    "ends_on": "2025-12-31",
    "launch_document": "Kế hoạch số 15/KH-UBND ngày 28/4/2025",
    "criteria": [
        {"code": "ho_so_truc_tuyen", "text": "100% hồ sơ TĐKT tiếp nhận trực tuyến", "mandatory": True},
        {"code": "hoc_lieu_so", "text": "Xây dựng học liệu số"},
    ],
}


async def events_of(sessions, kind: str) -> list[Envelope]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        rows = (await session.exec(select(OutboxEvent).order_by(col(OutboxEvent.id)))).all()
    return [Envelope.model_validate(r.envelope) for r in rows if r.envelope["type"] == kind]


async def deliver(sessions, envelopes: list[Envelope]) -> None:  # type: ignore[no-untyped-def]
    for envelope in envelopes:
        async with sessions() as session, session.begin():
            await KIT_HANDLERS[envelope.type](session, envelope, parse_event(envelope))


async def test_a_province_launches_a_movement_the_school_registers_and_it_runs_to_its_awards(tier_http):
    province, province_sessions = await tier_http(Tier.PROVINCE, business_date=TODAY)
    chair = auth("P91", "chair")
    assert (await province.post("/movements", headers=auth("P91", "clerk"), json=PLAN)).status_code == 403
    national = await province.post("/movements", headers=chair, json={**PLAN, "scope": "toan_quoc"})
    assert national.status_code == 422 and "central" in national.json()["detail"]
    no_end = await province.post("/movements", headers=chair, json={**PLAN, "ends_on": None})
    assert no_end.status_code == 422
    made = await province.post("/movements", headers=chair, json=PLAN)
    assert made.status_code == 201, made.text
    code = made.json()["code"]
    assert (code, made.json()["status"], made.json()["version"]) == ("P91-2025-01", "dang_phat_dong", 1)

    unit, unit_sessions = await tier_http(Tier.UNIT, business_date=TODAY)
    launched = await events_of(province_sessions, "movement.published")
    await deliver(unit_sessions, launched * 2)  # a redelivery changes nothing
    seen = (await unit.get("/movements", headers=auth("U91-0001", "clerk"))).json()
    assert [m["code"] for m in seen] == [code]
    clerk = auth("U91-0001", "clerk")
    missing = await unit.post(f"/movements/{code}/registrations", headers=clerk, json={"pledged": ["hoc_lieu_so"]})
    assert missing.status_code == 422 and "ho_so_truc_tuyen" in missing.json()["detail"]
    pledge = {"pledged": ["ho_so_truc_tuyen", "hoc_lieu_so"], "items": ["Mỗi giáo viên một bài giảng số", " "]}
    registered = await unit.post(f"/movements/{code}/registrations", headers=clerk, json=pledge)
    assert registered.status_code == 201, registered.text
    assert registered.json()["items"] == ["Mỗi giáo viên một bài giảng số"]
    assert (await unit.post(f"/movements/{code}/registrations", headers=clerk, json=pledge)).status_code == 409
    outsider = await province.post(
        f"/movements/{code}/registrations", headers=auth("B-BNV", "chair"), json={"pledged": ["ho_so_truc_tuyen"]}
    )
    assert outsider.status_code == 403  # a ministry is not under the province
    assert (await province.get(f"/movements/{code}", headers=auth("B-BNV", "chair"))).status_code == 404

    await deliver(province_sessions, await events_of(unit_sessions, "movement.registered"))
    at_launcher = (await province.get(f"/movements/{code}", headers=chair)).json()
    assert [(r["agency_code"], r["pledged"]) for r in at_launcher["registrations"]] == [
        ("U91-0001", ["ho_so_truc_tuyen", "hoc_lieu_so"])
    ]

    # Only the launcher runs it: reviews in order, a model example in scope, statuses forward only.
    review = {"kind": "so_ket", "held_on": "2025-05-10", "summary": "Sơ kết 6 tháng"}
    assert (
        await unit.post(f"/movements/{code}/reviews", headers=auth("U91-0001", "chair"), json=review)
    ).status_code == 403
    assert (await province.post(f"/movements/{code}/reviews", headers=chair, json=review)).status_code == 201
    early = await province.post(f"/movements/{code}/status", headers=chair, json={"status": "dang_xet_khen_thuong"})
    assert early.status_code == 409 and "tong_ket" in early.json()["detail"]
    stranger = {"name": "Tổ Tin học", "collective": True, "agency_code": "B-BNV", "achievement": "…"}
    assert (await province.post(f"/movements/{code}/examples", headers=chair, json=stranger)).status_code == 422
    example = {**stranger, "agency_code": "U91-0001", "achievement": "Số hóa 100% học bạ"}
    assert (await province.post(f"/movements/{code}/examples", headers=chair, json=example)).status_code == 201
    final = {"kind": "tong_ket", "held_on": "2025-05-14", "summary": "Tổng kết phong trào"}
    closed = await province.post(f"/movements/{code}/reviews", headers=chair, json=final)
    assert closed.status_code == 201 and closed.json()["status"] == "dang_xet_khen_thuong"
    skipped = await province.post(f"/movements/{code}/status", headers=chair, json={"status": "dang_xet_khen_thuong"})
    assert skipped.status_code == 409
    awarded = await province.post(
        f"/movements/{code}/status", headers=chair, json={"status": "da_khen_thuong", "note": "Quyết định 77/QĐ-UBND"}
    )
    assert awarded.status_code == 200 and awarded.json()["version"] == 5

    # The snapshots reach the school's service out of order: the newest wins.
    snapshots = await events_of(province_sessions, "movement.published")
    assert [e.payload["version"] for e in snapshots] == [1, 2, 3, 4, 5]
    await deliver(unit_sessions, [snapshots[4], snapshots[2], snapshots[3]])
    there = (await unit.get(f"/movements/{code}", headers=clerk)).json()
    assert (there["status"], there["version"], there["examples"][0]["name"]) == ("da_khen_thuong", 5, "Tổ Tin học")
    assert [r["agency_code"] for r in there["registrations"]] == ["U91-0001"]


async def test_a_thematic_award_of_a_launched_movement_goes_to_its_launcher(tier_http):
    province, _ = await tier_http(Tier.PROVINCE, business_date=TODAY)
    code = (await province.post("/movements", headers=auth("P91", "chair"), json=PLAN)).json()["code"]
    route = {"award_code": "BANG_KHEN_TINH", "proposer_agency": "U91-0001", "mode": "chuyen_de"}
    found = await province.get("/routes", params={**route, "movement_code": code}, headers=auth("P91", "clerk"))
    assert found.status_code == 200, found.text
    assert found.json()["conferring_agency"] == "P91"
    unknown = await province.get(
        "/routes", params={**route, "movement_code": "P91-2025-99"}, headers=auth("P91", "clerk")
    )
    assert unknown.status_code == 422 and "unknown emulation movement" in unknown.json()["detail"]
