"""The admin's console pages through HTTP (in process): the bodies under the agency (one from the
form, a file all or nothing, its per-row report in Vietnamese), delegations, and who is refused.
The reorganization dry run's page is in test_console_reorganization.py (it needs Temporal)."""

import csv
import io
from datetime import date

from openpyxl import load_workbook
from sqlmodel import select

from deploy.demo_data import demo_token
from services.kit.console.session import COOKIE, csrf_of
from services.kit.identity.models import Delegation
from services.kit.registry.models import Agency
from shared.contracts.tiers import Tier
from tests.integration.kit.test_console import log_in

AFTER = date(2025, 8, 1)  # the 2025 tree: C30823 (Bình Sơn) sits under P91
PROVINCE, COMMUNE = "P91", "C30823"
HEADER = ["Mã đơn vị", "Tên đơn vị", "Loại hình", "Mã cơ quan quản lý", "Mã xã nơi đặt trụ sở"]


async def as_officer(client, agency: str, role: str) -> str:  # type: ignore[no-untyped-def]
    """Log in on the console as a demo officer; the session's CSRF token."""
    token = demo_token(agency, role)
    cookie = (await log_in(client, token.lower(), token)).cookies[COOKIE]
    client.cookies.set(COOKIE, cookie)
    return csrf_of(cookie)


def csv_bytes(rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows([HEADER, *rows])
    return text.getvalue().encode()


async def codes(sessions, prefix: str) -> set[str]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return {a.code for a in (await session.exec(select(Agency))).all() if a.code.startswith(prefix)}


async def test_the_admin_registers_bodies_one_by_one_and_from_a_file_all_or_nothing(tier_http):
    client, sessions = await tier_http(Tier.PROVINCE, business_date=AFTER)
    await as_officer(client, PROVINCE, "clerk")
    assert (await client.get("/console/agencies")).status_code == 403
    assert "/console/agencies" not in (await client.get("/console")).text  # not in a clerk's menu

    csrf = await as_officer(client, PROVINCE, "admin")
    page = await client.get("/console/agencies")
    assert page.status_code == 200 and "Đơn vị trực thuộc" in page.text and 'href="/console/agencies"' in page.text
    assert f'value="{PROVINCE}"' in page.text  # the managing authority defaults to the admin's agency
    assert "Trường học, cơ sở giáo dục" in page.text  # the kinds, in Vietnamese

    school = {"code": "U91-0201", "name": "Trường Tiểu học Bình Sơn", "kind": "school", "tier": "unit"}
    one = {"csrf": csrf, **school, "parent_code": COMMUNE, "location_code": COMMUNE}
    assert (await client.post("/console/agencies", data={**one, "csrf": "forged"})).status_code == 403
    made = await client.post("/console/agencies", data=one)
    assert made.status_code == 200 and "Đã đăng ký đơn vị" in made.text and "Trường Tiểu học Bình Sơn" in made.text
    taken = await client.post("/console/agencies", data=one)
    assert taken.status_code == 409 and "U91-0201" in taken.text and "đã được dùng" in taken.text, taken.text

    bad = csv_bytes(
        [["U91-0202", "Trường Mầm non Bình Sơn", "school", COMMUNE, COMMUNE], ["U91-0203", "", "school", COMMUNE, ""]]
    )
    refused = await client.post(
        "/console/agencies/import", data={"csrf": csrf}, files={"file": ("don_vi.csv", bad, "text/csv")}
    )
    assert refused.status_code == 422 and "Chưa đăng ký đơn vị nào" in refused.text
    assert "ô &#39;Tên đơn vị&#39; bị để trống" in refused.text  # row 3's problem, in Vietnamese
    assert await codes(sessions, "U91-020") == {"U91-0201"}  # nothing of the file

    good = csv_bytes([["U91-0202", "Trường Mầm non Bình Sơn", "Trường học", COMMUNE, COMMUNE]])
    checked = await client.post(
        "/console/agencies/import",
        data={"csrf": csrf, "dry_run": "1"},
        files={"file": ("don_vi.csv", good, "text/csv")},
    )
    assert checked.status_code == 200 and "Chỉ kiểm tra: chưa đăng ký đơn vị nào" in checked.text
    assert await codes(sessions, "U91-020") == {"U91-0201"}
    applied = await client.post(
        "/console/agencies/import", data={"csrf": csrf}, files={"file": ("don_vi.csv", good, "text/csv")}
    )
    assert applied.status_code == 200 and "Đã đăng ký tất cả các đơn vị của tệp" in applied.text
    assert await codes(sessions, "U91-020") == {"U91-0201", "U91-0202"}
    assert "Trường Mầm non Bình Sơn" in (await client.get("/console/agencies")).text  # listed under P91
    forged = await client.post(
        "/console/agencies/import", data={"csrf": "x"}, files={"file": ("don_vi.csv", good, "text/csv")}
    )
    assert forged.status_code == 403

    english = await client.post(
        "/console/agencies/import?lang=en", data={"csrf": csrf}, files={"file": ("don_vi.csv", bad, "text/csv")}
    )
    assert english.status_code == 422 and "(name) is empty" in english.text

    sheet = await client.get("/console/agencies/template.xlsx")
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(sheet.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "Mã đơn vị" and rows[1][0] == "U91-0101"


async def test_a_chair_delegates_and_an_admin_revokes_on_the_delegations_page(tier_http):
    client, sessions = await tier_http(Tier.PROVINCE, business_date=AFTER)
    await as_officer(client, PROVINCE, "clerk")
    assert (await client.get("/console/delegations")).status_code == 403

    csrf = await as_officer(client, PROVINCE, "chair")
    assert (await client.get("/console/delegations")).status_code == 200
    form = {"csrf": csrf, "action": "create", "to_officer_id": f"{PROVINCE}:clerk", "reason": "Nghỉ phép"}
    backwards = await client.post(
        "/console/delegations", data={**form, "starts_on": "2025-08-10", "ends_on": "05/08/2025"}
    )
    assert (
        backwards.status_code == 422 and "ngày kết thúc (05/08/2025) trước ngày bắt đầu (10/08/2025)" in backwards.text
    )
    far = await client.post("/console/delegations", data={**form, "starts_on": "2025-08-10", "ends_on": "31/12/2099"})
    assert far.status_code == 422 and "ngày kết thúc ủy quyền 31/12/2099 nằm ngoài khoảng 02/09/1945" in far.text
    assert "không quá 10 năm" in far.text
    period = {"starts_on": "2025-08-01", "ends_on": "2025-08-20"}
    assert (await client.post("/console/delegations", data={**form, **period, "csrf": "x"})).status_code == 403
    made = await client.post("/console/delegations", data={**form, **period})
    assert made.status_code == 200 and "Đã ủy quyền" in made.text and "Đang hiệu lực" in made.text
    async with sessions() as session:
        [delegation] = (await session.exec(select(Delegation))).all()
    assert (delegation.to_officer_id, delegation.role, delegation.ends_on) == (
        f"{PROVINCE}:clerk",
        "chair",
        date(2025, 8, 20),
    )

    csrf = await as_officer(client, PROVINCE, "admin")
    revoke = {"csrf": csrf, "action": "revoke", "delegation_id": delegation.id, "revoke_reason": "Đã đi làm lại"}
    done = await client.post("/console/delegations", data=revoke)
    assert done.status_code == 200 and "Đã thu hồi ủy quyền" in done.text
    again = await client.post("/console/delegations", data=revoke)
    assert again.status_code == 409 and "đã bị P91:admin thu hồi" in again.text
