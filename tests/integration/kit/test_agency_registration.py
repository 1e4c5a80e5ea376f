"""An admin registers grassroots bodies under their agency (or one below it), one at a time or from a
CSV or XLSX file that is applied whole or not at all; every service's registry replica learns each
body from its event, once; and anyone then finds it by name, with or without diacritics."""

import base64
import csv
import io
from datetime import date

from openpyxl import Workbook
from sqlmodel import col, select

from services.kit.handlers import KIT_HANDLERS
from services.kit.identity.models import Officer
from services.kit.registry.models import Agency
from shared.contracts.events import AgencyRegistered, Envelope, parse_event
from shared.contracts.tiers import Tier
from shared.platform.audit import AuditRecord
from shared.platform.db import transaction
from shared.platform.outbox import OutboxEvent
from tests.helpers import add_officer, auth

AFTER = date(2025, 8, 1)  # the 2025 tree: D903 (Hòn Đất) is gone, C30823 (Bình Sơn) sits under P91
PROVINCE, COMMUNE, RETIRED_DISTRICT, OTHER_PROVINCE = "P91", "C30823", "D903", "P01"
ISLAND = "C26732"  # Đặc khu Côn Đảo: a new code from 2025-07-01
SCHOOL = {
    "code": "U91-0101",
    "name": "Trường Trung học cơ sở Bình Sơn",
    "kind": "school",
    "parent_code": COMMUNE,
    "location_code": COMMUNE,
}
HEADER = ["Mã đơn vị", "Tên đơn vị", "Loại hình", "Mã cơ quan quản lý", "Mã xã nơi đặt trụ sở", "Ngày hiệu lực"]


async def province(tier_http):  # type: ignore[no-untyped-def]
    return await tier_http(Tier.PROVINCE, business_date=AFTER)


def admin() -> dict[str, str]:
    return auth(PROVINCE, "admin")


def csv_file(rows: list[list[str]]) -> dict[str, str]:
    text = io.StringIO()
    csv.writer(text).writerows([HEADER, *rows])
    return {"filename": "don_vi.csv", "content_base64": base64.b64encode(text.getvalue().encode()).decode()}


def xlsx_file(rows: list[list[str]]) -> dict[str, str]:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [HEADER, *rows]:
        sheet.append(row)
    content = io.BytesIO()
    book.save(content)
    return {"filename": "don_vi.xlsx", "content_base64": base64.b64encode(content.getvalue()).decode()}


async def registered(sessions) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(audit outcome, code) of every registration in this service's audit chain, and the events out."""
    async with sessions() as session:
        audits = await session.exec(
            select(AuditRecord).where(AuditRecord.action == "registry.agency_registered").order_by(col(AuditRecord.seq))
        )
        return [(a.outcome, a.details["code"]) for a in audits.all()]


async def outbox(sessions) -> list[OutboxEvent]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        rows = await session.exec(select(OutboxEvent).order_by(col(OutboxEvent.id)))
        return [r for r in rows.all() if r.envelope["type"] == AgencyRegistered.type]


async def test_an_admin_registers_a_body_that_anyone_then_finds_without_diacritics(tier_http):
    client, sessions = await province(tier_http)
    r = await client.post("/agencies", headers=admin(), json=SCHOOL)
    assert r.status_code == 201, r.text
    assert r.json() == {
        **SCHOOL,
        "tier": "unit",
        "valid_from": AFTER.isoformat(),
        "valid_to": None,
        "legal_basis": None,
    }
    # The province's admin also registers right under the province, in Vietnamese words.
    so = {"code": "SGD-P91", "name": "Sở Giáo dục và Đào tạo", "kind": "Sở", "parent_code": "p91"}
    r = await client.post("/agencies", headers=admin(), json=so)
    assert r.status_code == 201 and r.json()["kind"] == "department" and r.json()["parent_code"] == PROVINCE, r.text

    found = await client.get("/agencies", params={"q": "truong trung hoc co so binh son"})
    assert [a["code"] for a in found.json()] == ["U91-0101"], found.text
    story = (await client.get("/agencies/U91-0101")).json()
    assert story["in_force"]["name"] == SCHOOL["name"] and story["parent"]["code"] == COMMUNE

    assert await registered(sessions) == [("registered", "U91-0101"), ("registered", "SGD-P91")]
    events = await outbox(sessions)
    assert [(e.topic, e.key) for e in events] == [("tdkt.hierarchy", "U91-0101"), ("tdkt.hierarchy", "SGD-P91")]
    assert events[0].envelope["payload"]["actor"] == f"{PROVINCE}:admin"


async def test_only_an_admin_of_the_managing_authority_or_one_above_it_registers(tier_http):
    client, sessions = await province(tier_http)
    async with transaction(sessions) as session:
        stranger = Officer(
            id=f"{OTHER_PROVINCE}:admin", agency_code=OTHER_PROVINCE, name="Quản trị Hà Nội", role="admin"
        )
        await add_officer(session, stranger, "demo-P01-admin")

    foreign = await client.post("/agencies", headers=auth(OTHER_PROVINCE, "admin"), json=SCHOOL)
    assert foreign.status_code == 403, foreign.text
    assert (
        f"you act for {OTHER_PROVINCE}, which is neither {COMMUNE} nor an agency above it" in foreign.json()["detail"]
    )
    assert "chỉ quản trị viên của cơ quan quản lý" in foreign.json()["detail"]

    chair = await client.post("/agencies", headers=auth(PROVINCE, "chair"), json=SCHOOL)
    assert chair.status_code == 403 and "it needs one of: admin" in chair.json()["detail"], chair.text
    imported = await client.post("/agencies/import", headers=auth(PROVINCE, "clerk"), json=csv_file([]))
    assert imported.status_code == 403

    assert (await client.get("/agencies/U91-0101")).status_code == 404
    assert await registered(sessions) == [] and await outbox(sessions) == []


async def test_a_taken_code_and_a_managing_authority_out_of_force_are_refused_precisely(tier_http):
    client, _ = await province(tier_http)
    assert (await client.post("/agencies", headers=admin(), json=SCHOOL)).status_code == 201

    again = await client.post("/agencies", headers=admin(), json={**SCHOOL, "name": "Trường khác"})
    assert again.status_code == 409, again.text
    assert again.json()["detail"].startswith(f"the code U91-0101 is taken by {SCHOOL['name']} (school, from {AFTER})")
    demo = await client.post("/agencies", headers=admin(), json={**SCHOOL, "code": "u91-0001"})
    assert demo.status_code == 409 and "Trường Tiểu học Sóc Sơn" in demo.json()["detail"]

    retired = await client.post(
        "/agencies", headers=admin(), json={**SCHOOL, "code": "U91-0102", "parent_code": RETIRED_DISTRICT}
    )
    assert retired.status_code == 422, retired.text
    detail = retired.json()["detail"]
    assert f"the managing authority {RETIRED_DISTRICT} (Huyện Hòn Đất) is not in force on {AFTER}" in detail
    assert "its last day was 2025-06-30; successors: C30760, C30817, C30823" in detail
    assert "không có hiệu lực ngày 01/08/2025" in detail

    for change, words in [
        ({"parent_code": "P99"}, "no agency P99 in the registry"),
        (
            {"parent_code": ISLAND, "location_code": None, "valid_from": "2025-06-01"},
            f"{ISLAND} (Đặc khu Côn Đảo) is not in force on 2025-06-01: it is in force from 2025-07-01",
        ),
        ({"code": "U 91"}, "the code 'U 91' is not valid"),
        ({"code": "TW-MOI"}, "kept for the central bodies"),
        ({"kind": "province"}, "the kind 'province' cannot be registered"),
        ({"tier": "central"}, "the tier 'central' is not one a body is registered at"),
        ({"tier": "province"}, f"cannot sit under {COMMUNE}, whose tier unit is lower"),
        ({"location_code": "C99999"}, "C99999 is not a commune, ward, town or special zone in force on 2025-08-01"),
    ]:
        r = await client.post("/agencies", headers=admin(), json={**SCHOOL, "code": "U91-0102", **change})
        assert r.status_code == 422 and words in r.json()["detail"], (change, r.text)


async def test_an_import_with_one_bad_row_registers_nothing_and_reports_every_row(tier_http):
    client, sessions = await province(tier_http)
    rows = [
        ["U91-0201", "Trường Mầm non Bình Sơn", "Trường học", COMMUNE, COMMUNE, "01/08/2025"],
        ["U91-0202", "Công ty Cổ phần Thủy sản Bình Sơn", "doanh nghiep", RETIRED_DISTRICT, "", ""],
        ["U91-0203", "Hợp tác xã Bình Sơn", "cooperative", COMMUNE, "", "32/13/2025"],
        ["U91-0201", "Trường trùng mã", "school", COMMUNE, "", ""],
    ]
    for body in (csv_file(rows), xlsx_file(rows)):
        r = await client.post("/agencies/import", headers=admin(), json=body)
        assert r.status_code == 422, r.text
        report = r.json()["detail"]
        assert report["message"].startswith("3 of 4 rows are invalid: nothing was registered")
        assert (report["applied"], report["valid"], report["invalid"]) == (False, 1, 3)
        lines = report["lines"]
        assert [(line["row"], line["code"], line["ok"]) for line in lines] == [
            (2, "U91-0201", True),
            (3, "U91-0202", False),
            (4, "U91-0203", False),
            (5, "U91-0201", False),
        ]
        assert lines[1]["errors"][0]["field"] == "parent_code"
        assert "not in force on 2025-08-01" in lines[1]["errors"][0]["en"]
        assert "không có hiệu lực ngày 01/08/2025" in lines[1]["errors"][0]["vi"]
        assert lines[2]["errors"] == [
            {
                "field": "valid_from",
                "vi": "ngày hiệu lực '32/13/2025' không đọc được: ghi dd/mm/yyyy, ví dụ 01/08/2025",
                "en": "the date '32/13/2025' cannot be read: write dd/mm/yyyy or yyyy-mm-dd, e.g. 2025-08-01",
            }
        ]
        assert lines[3]["errors"][0]["en"] == "the code U91-0201 is already on row 2 of this file"

    dry = await client.post("/agencies/import", headers=admin(), json={**csv_file(rows), "dry_run": True})
    assert dry.status_code == 200 and dry.json()["applied"] is False and dry.json()["invalid"] == 3, dry.text
    assert (await client.get("/agencies/U91-0201")).status_code == 404
    assert await registered(sessions) == [] and await outbox(sessions) == []


async def test_an_import_of_valid_rows_registers_them_all_a_body_under_one_of_an_earlier_row_too(tier_http):
    client, sessions = await province(tier_http)
    rows = [
        ["SYT-P91", "Sở Y tế", "Sở", PROVINCE, "", ""],
        ["SYT-P91-BV01", "Bệnh viện Đa khoa khu vực Bình Sơn", "hospital", "SYT-P91", COMMUNE, "2025-08-01"],
        ["U91-0301", "Trường Tiểu học Bình Sơn 2", "school", COMMUNE, COMMUNE, ""],
    ]
    dry = await client.post("/agencies/import", headers=admin(), json={**xlsx_file(rows), "dry_run": True})
    assert dry.status_code == 200 and dry.json()["valid"] == 3 and dry.json()["applied"] is False, dry.text
    assert await registered(sessions) == []

    r = await client.post("/agencies/import", headers=admin(), json=xlsx_file(rows))
    assert r.status_code == 200, r.text
    assert r.json()["applied"] is True and r.json()["format"] == "xlsx"
    assert [(line["row"], line["ok"], line["errors"]) for line in r.json()["lines"]] == [
        (2, True, []),
        (3, True, []),
        (4, True, []),
    ]
    hospital = (await client.get("/agencies/SYT-P91-BV01")).json()
    assert hospital["parent"]["code"] == "SYT-P91" and hospital["in_force"]["kind"] == "hospital"
    assert [a["code"] for a in (await client.get("/agencies", params={"q": "benh vien da khoa"})).json()] == [
        "SYT-P91-BV01"
    ]
    assert await registered(sessions) == [("registered", code) for code in ("SYT-P91", "SYT-P91-BV01", "U91-0301")]
    assert len(await outbox(sessions)) == 3


async def test_every_other_service_learns_a_registration_once_from_its_event(tier_http):
    client, sessions = await province(tier_http)
    rows = [
        ["SGD-P91", "Sở Giáo dục và Đào tạo", "department", PROVINCE, "", ""],
        ["U91-0401", "Trường Trung học phổ thông Hòn Đất", "school", "SGD-P91", COMMUNE, ""],
    ]
    assert (await client.post("/agencies/import", headers=admin(), json=csv_file(rows))).status_code == 200
    envelopes = [Envelope.model_validate(row.envelope) for row in await outbox(sessions)]

    unit, unit_sessions = await tier_http(Tier.UNIT, business_date=AFTER)
    # The school's event may come before its sở's (each is keyed by its own code), and twice.
    for envelope in [envelopes[1], envelopes[0], envelopes[1], envelopes[0]]:
        async with transaction(unit_sessions) as session:
            await KIT_HANDLERS[envelope.type](session, envelope, parse_event(envelope))
    # The registering service finds its own event already applied.
    async with transaction(sessions) as session:
        await KIT_HANDLERS[envelopes[0].type](session, envelopes[0], parse_event(envelopes[0]))

    async with unit_sessions() as session:
        versions = (await session.exec(select(Agency).where(col(Agency.code).in_(["SGD-P91", "U91-0401"])))).all()
        assert sorted((v.code, v.parent_code, v.location_code) for v in versions) == [
            ("SGD-P91", PROVINCE, None),
            ("U91-0401", "SGD-P91", COMMUNE),
        ]
    assert await registered(unit_sessions) == [("replicated", "U91-0401"), ("replicated", "SGD-P91")]
    assert await registered(sessions) == [("registered", "SGD-P91"), ("registered", "U91-0401")]
    found = (await unit.get("/agencies", params={"q": "hon dat", "on": AFTER.isoformat()})).json()
    assert "U91-0401" in [a["code"] for a in found]
    school = (await unit.get("/agencies/U91-0401")).json()
    assert school["parent"] == {
        "code": "SGD-P91",
        "name": "Sở Giáo dục và Đào tạo",
        "tier": "unit",
        "kind": "department",
    }
