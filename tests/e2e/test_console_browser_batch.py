"""A tờ trình of more awardees than one step decides, decided whole from the console in a real browser
(Playwright driving Debian's chromium) against the running system shared with
tests/e2e/test_console_browser.py. The school imports its candidates, submits them together and its
council agrees on all; then the school's chair forwards the whole tờ trình, and the district's chair
confers on it under one decision number, each from the inbox filtered by the tờ trình. The page
shows the progress and asks for each next step by itself, without a click; the decision lists every
awardee."""

import base64
import csv
import io
import itertools
from urllib.parse import quote

from playwright.async_api import Page, expect

from services.kit.batches.candidates import COLUMNS
from services.kit.workflow_client import DECIDE_CHUNK
from shared.contracts.tiers import Tier
from tests.e2e import test_console_browser as shared
from tests.e2e.conftest import RunningSystem
from tests.e2e.test_console_browser import HON_DAT, SCHOOL, shot
from tests.e2e.test_console_browser_year import logged_in
from tests.helpers import auth, council_agrees_on_all, document, eventually, proposer_kinds

system, browser = shared.system, shared.browser  # the same stack and chromium as the console's tests
NUMBER, DECISION = "57/TTr-THSS", "58/QĐ-UBND"
AWARD = "LAO_DONG_TIEN_TIEN"  # the school proposes, the district confers
FAMILIES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
GIVEN = ["An", "Bình", "Cúc", "Dũng", "Hạnh", "Khoa"]
NAMES = [f"{f} {m} {g}" for f, m, g in itertools.product(FAMILIES, ["Văn", "Thị"], GIVEN)]
assert len(NAMES) > DECIDE_CHUNK  # more than one step at each level


def candidates_csv() -> dict[str, str]:
    text = io.StringIO()
    header = [COLUMNS[f][0] for f in ("nominee_name", "kind", "award_code", "reason", "period_year")]
    rows = [[name, "Cá nhân", "Lao động tiên tiến", "Hoàn thành tốt nhiệm vụ năm 2024", "2024"] for name in NAMES]
    csv.writer(text).writerows([header, *rows])
    return {"filename": "ung_vien.csv", "content_base64": base64.b64encode(text.getvalue().encode()).decode()}


async def pending_at(system: RunningSystem, tier: Tier, agency: str, ids: set[str]) -> None:
    async def arrived() -> bool:
        r = await system[tier].get(
            "/inbox", headers=auth(agency, "chair"), params={"batch_no": NUMBER, "status": "pending", "limit": 1000}
        )
        return r.status_code == 200 and ids <= {item["nomination_id"] for item in r.json()}

    await eventually(arrived, within=120, what=f"the tờ trình's {len(ids)} awardees pending at {agency}")


async def submitted_and_agreed(system: RunningSystem) -> set[str]:
    """The school's tờ trình: imported, documented, submitted, and its council's yes to every awardee."""
    unit, clerk = system[Tier.UNIT], auth(SCHOOL, "clerk")
    made = await unit.post("/batches", headers=clerk, json={"number": NUMBER, "title": "Lao động tiên tiến năm 2024"})
    assert made.status_code == 201, made.text
    batch = made.json()["id"]
    assert (r := await unit.post(f"/batches/{batch}/import", headers=clerk, json=candidates_csv())).is_success, r.text
    for kind in proposer_kinds(AWARD):
        r = await unit.post(f"/batches/{batch}/documents", headers=clerk, json=document(kind, f"{kind}: {NUMBER}"))
        assert r.status_code == 201, r.text
    assert (r := await unit.post(f"/batches/{batch}/submit", headers=clerk)).status_code == 202, r.text
    awardees = (await unit.get(f"/batches/{batch}", headers=clerk)).json()["awardees"]
    ids = {a["nomination_id"] for a in awardees}
    await pending_at(system, Tier.UNIT, SCHOOL, ids)
    items = [{"nomination_id": a["nomination_id"], "award_code": AWARD, "nominee_name": a["nominee_name"]}
             for a in awardees]  # fmt: skip
    await council_agrees_on_all(unit, SCHOOL, items)
    return ids


async def decide_whole(page: Page, action: str, reason: str, decision_no: str = "") -> list[str]:
    """The form of the inbox filtered by the tờ trình, sent once; every step the page then asks for."""
    steps: list[str] = []
    page.on("request", lambda r: steps.append(r.url) if r.url.endswith("/console/batch-decision") else None)
    section = page.locator("#batch-decision")
    await expect(section).to_contain_text(f"{len(NAMES)} hồ sơ của tờ trình đang chờ cấp này xử lý")
    await section.get_by_label("Thao tác").select_option(label=action)
    await section.get_by_label("Lý do / nội dung nhắc").fill(reason)
    if decision_no:
        await section.get_by_label("Số quyết định (khi quyết định khen thưởng)").fill(decision_no)
    await section.get_by_role("button", name="Thực hiện với mọi hồ sơ của tờ trình").click()
    progress = page.get_by_role("progressbar")
    await expect(progress).to_have_attribute("max", str(len(NAMES)))
    await expect(page.locator("#batch-done")).to_be_visible(timeout=120_000)
    await expect(progress).to_have_attribute("value", str(len(NAMES)))
    await expect(page.locator("#batch-progress-text")).to_contain_text(f"{len(NAMES)}/{len(NAMES)} hồ sơ đã xử lý")
    return steps


async def test_a_tờ_trình_of_many_forwarded_then_conferred_whole_from_the_console(system, browser):
    ids = await submitted_and_agreed(system)
    filtered = f"/console?batch={quote(NUMBER)}"

    school = await logged_in(browser, system, Tier.UNIT, SCHOOL, "chair", filtered)
    steps = await decide_whole(school, "Trình cấp trên tất cả", "Đủ điều kiện đề nghị công nhận")
    assert len(steps) >= 2, steps  # one click: the page asked for the next step itself
    await school.close()
    await pending_at(system, Tier.DISTRICT, HON_DAT, ids)

    district = await logged_in(browser, system, Tier.DISTRICT, HON_DAT, "chair", filtered)
    steps = await decide_whole(
        district, "Quyết định khen thưởng tất cả (một số quyết định)", "Đạt danh hiệu Lao động tiên tiến", DECISION
    )
    assert len(steps) >= 2, steps
    await expect(district.locator("#batch-refusals")).to_have_count(0)
    await expect(district.locator("#rows")).to_contain_text("Không có hồ sơ nào phù hợp")  # the rows read again
    await shot(district, "batch_conferred")
    await district.get_by_role("link", name=f"Xem quyết định và danh sách được khen thưởng {DECISION}").click()
    awardees = district.get_by_role("table", name=f"Danh sách được khen thưởng: {len(NAMES)}")
    await expect(awardees.locator("tbody tr")).to_have_count(len(NAMES))
    await district.close()
