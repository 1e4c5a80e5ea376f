"""The movements on the console (in process, SQLite and PostgreSQL): the province's chair launches one
from the form (criteria one a line, * for mandatory), the school's clerk registers with its pledge at
its own service, the launcher records the final review, a model example and the awards."""

from services.kit.console.session import COOKIE, csrf_of
from shared.contracts.tiers import Tier
from tests.integration.kit.test_movements import TODAY, deliver, events_of


def session_of(client, agency: str, role: str) -> str:  # type: ignore[no-untyped-def]
    token = f"demo-{agency}-{role}"
    client.cookies.set(COOKIE, token)
    return csrf_of(token)


async def test_launch_register_review_and_award_on_the_console(tier_http):
    province, province_sessions = await tier_http(Tier.PROVINCE, business_date=TODAY)
    csrf = session_of(province, "P91", "chair")
    form = {
        "csrf": csrf, "name": "Thi đua chuyển đổi số 2025", "theme": "Chuyển đổi số trong trường học",
        "launch_document": "Kế hoạch số 15/KH-UBND", "kind": "dot", "scope": "bo_tinh", "starts_on": "01/05/2025",
        "ends_on": "", "criteria": "* Hồ sơ trực tuyến 100%\nHọc liệu số",
    }  # fmt: skip
    refused = await province.post("/console/movements", data=form)
    assert refused.status_code == 422 and "ngày kết thúc" in refused.text  # a campaign has a last day
    made = await province.post("/console/movements", data={**form, "ends_on": "31/12/2025"})
    assert made.status_code == 303 and made.headers["location"] == "/console/movements/P91-2025-01"
    page = (await province.get("/console/movements/P91-2025-01")).text
    assert "Hồ sơ trực tuyến 100% <strong>(bắt buộc)</strong>" in page and "Đang phát động" in page

    unit, unit_sessions = await tier_http(Tier.UNIT, business_date=TODAY)
    await deliver(unit_sessions, await events_of(province_sessions, "movement.published"))
    csrf = session_of(unit, "U91-0001", "clerk")
    assert "Thi đua chuyển đổi số 2025" in (await unit.get("/console/movements")).text
    offered = (await unit.get("/console/movements/P91-2025-01")).text
    assert 'id="register"' in offered and 'id="review"' not in offered  # the school joins, it does not run it
    joined = await unit.post(
        "/console/movements/P91-2025-01",
        data={"csrf": csrf, "action": "register", "pledged": ["tc1"], "items": "Mỗi lớp một bài giảng số"},
    )
    assert joined.status_code == 200 and "Đã đăng ký thi đua" in joined.text and 'id="register"' not in joined.text
    await deliver(province_sessions, await events_of(unit_sessions, "movement.registered"))

    csrf = session_of(province, "P91", "chair")
    url = "/console/movements/P91-2025-01"
    assert "U91-0001" in (await province.get(url)).text
    review = {
        "csrf": csrf,
        "action": "review",
        "review_kind": "tong_ket",
        "held_on": "14/05/2025",
        "summary": "Tổng kết",
    }
    assert (await province.post(url, data=review)).status_code == 200
    example = {
        "csrf": csrf, "action": "example", "name": "Cô Nguyễn Thị Lan", "agency_code": "u91-0001",
        "achievement": "Số hóa học bạ",
    }  # fmt: skip
    assert "Cô Nguyễn Thị Lan" in (await province.post(url, data=example)).text
    awarded = await province.post(url, data={"csrf": csrf, "action": "status", "status": "da_khen_thuong"})
    assert awarded.status_code == 200 and "Đã khen thưởng" in awarded.text
