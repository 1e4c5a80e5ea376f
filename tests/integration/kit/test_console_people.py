"""The agency's nominees on the console (in process, SQLite and PostgreSQL): register an individual
with position category, sex and ethnicity from the selects, see them in the list with their
Vietnamese names, change one by registering again, be told what is wrong (collective), and see the
profile a draft took on the nomination's page."""

from services.kit.console.session import COOKIE, csrf_of
from shared.contracts.tiers import Tier

TOKEN = "demo-U91-0001-clerk"
LAN = "CCCD:091000000888"


def table(page: str) -> str:
    """The list's rows (the form's selects name every category too)."""
    return page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""


async def test_register_change_and_see_an_individuals_profile_on_the_console(tier_http):
    client, _ = await tier_http(Tier.UNIT)
    client.cookies.set(COOKIE, TOKEN)
    csrf = csrf_of(TOKEN)
    empty = await client.get("/console/nominees")
    assert empty.status_code == 200 and 'id="position_category"' in empty.text and "Dân tộc" in empty.text

    person = {"csrf": csrf, "id": LAN, "kind": "individual", "name": "Lò Thị Lan", "sex": "nu", "ethnicity": "03"}
    saved = await client.post("/console/nominees", data={**person, "position_category": "giao_vien"})
    assert saved.status_code == 303 and saved.headers["location"] == "/console/nominees?done=saved"
    page = (await client.get("/console/nominees?done=saved")).text
    listed = table(page)
    assert "Đã lưu đối tượng." in page
    assert all(name in listed for name in ("Lò Thị Lan", "Giáo viên, giảng viên trực tiếp giảng dạy", "Nữ", "Thái"))

    changed = await client.post(
        "/console/nominees", data={"csrf": csrf, "id": LAN, "name": "Lò Thị Lan", "position_category": "nong_dan"}
    )
    assert changed.status_code == 303
    listed = table((await client.get("/console/nominees?q=lo thi")).text)
    assert "Nông dân" in listed and "Thái" in listed and "Giáo viên" not in listed

    team = {"csrf": csrf, "id": "TAPTHE:U91-0001:TO-1", "kind": "collective", "name": "Tổ Toán", "sex": "nu"}
    refused = await client.post("/console/nominees", data=team)
    assert refused.status_code == 422 and "chỉ ghi cho cá nhân, không ghi cho tập thể" in refused.text
    assert "Tổ Toán" in refused.text  # the form keeps what was written
    english = await client.post("/console/nominees?lang=en", data=team)
    assert "describe an individual, not a collective" in english.text

    form = (await client.get("/console/proposals/new?lang=vi")).text
    assert "lấy theo thông tin đã đăng ký" in form and LAN in form
    draft = {"csrf": csrf, "nominee_name": "Lò Thị Lan", "nominee_kind": "individual", "nominee_id": LAN,
             "award_code": "GIAY_KHEN", "reason": "Hoàn thành xuất sắc nhiệm vụ"}  # fmt: skip
    made = await client.post("/console/proposals/new", data=draft)
    assert made.status_code == 303, made.text
    page = (await client.get(made.headers["location"])).text
    assert "Chức danh, đối tượng" in page and "Nông dân" in page and "Thái" in page


async def test_the_chair_erases_a_nominees_personal_data_from_the_console_once_confirmed(tier_http):
    client, _ = await tier_http(Tier.UNIT)
    client.cookies.set(COOKIE, TOKEN)
    person = {"csrf": csrf_of(TOKEN), "id": LAN, "kind": "individual", "name": "Lò Thị Lan", "sex": "nu"}
    assert (await client.post("/console/nominees", data={**person, "ethnicity": "03"})).status_code == 303
    assert "Xóa dữ liệu cá nhân" not in (await client.get("/console/nominees")).text  # not the clerk's to do

    chair = "demo-U91-0001-chair"
    client.cookies.set(COOKIE, chair)
    page = (await client.get("/console/nominees")).text
    assert "Xóa dữ liệu cá nhân" in page and "không thể khôi phục" in page and "Thái" in table(page)
    url = f"/console/nominees/{LAN}/erasure"
    asked = {"csrf": csrf_of(chair), "basis": "subject_request", "reason": "Đơn số 12/ĐN ngày 02/03/2026"}
    unconfirmed = await client.post(url, data=asked)
    assert unconfirmed.status_code == 422 and "hãy đánh dấu ô xác nhận" in unconfirmed.text
    assert "Thái" in table(unconfirmed.text)  # nothing erased

    erased = await client.post(url, data={**asked, "confirm": "yes"})
    assert erased.status_code == 303 and erased.headers["location"] == "/console/nominees?done=erased"
    page = (await client.get(erased.headers["location"])).text
    assert "Đã xóa dữ liệu cá nhân của đối tượng" in page and "Đã xóa dữ liệu cá nhân ngày" in page
    assert "Thái" not in table(page) and "Nữ" not in table(page) and "Lò Thị Lan" in table(page)
    again = await client.post(url, data={**asked, "confirm": "yes"})
    assert again.headers["location"] == "/console/nominees?done=nothing"
