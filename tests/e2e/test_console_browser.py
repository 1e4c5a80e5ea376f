"""The console in a real browser (Playwright driving Debian's chromium) against the running system:
a district chair logs in with the keyboard alone, finds a nomination by a search without
diacritics, reads its timeline across levels, is refused with the validator's reason, then
forwards it; the province's chair confers in the province's console; five wrong passwords lock an
account. Screenshots of the pages go to
$CONSOLE_SCREENSHOTS when it is set (docs/console.md shows them)."""

import asyncio
import hashlib
import os
import re
import shutil
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from deploy.demo_data import demo_token
from shared.contracts.tiers import Tier
from tests.e2e.conftest import RunningSystem
from tests.helpers import auth, decide, draft_and_submit, eventually, wait_pending

SCHOOL, HON_DAT = "U91-0001", "D903"
AWARD = "BANG_KHEN_TINH"  # the province confers: unit → district → province
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As root, without a sandbox; no background traffic (this machine's network is closed).
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]  # fmt: skip


@pytest.fixture(scope="module")
async def system(sqlite_system: RunningSystem) -> AsyncIterator[RunningSystem]:
    """The browser tests what a person sees; the databases are tested elsewhere."""
    yield sqlite_system


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    assert os.access(CHROMIUM, os.X_OK), (
        "Debian's chromium is missing: `make test` installs it (apt-get install chromium)"
    )
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        await launched.close()


async def shot(page: Page, name: str) -> None:
    folder = os.environ.get("CONSOLE_SCREENSHOTS")
    if folder:  # Playwright creates the folder
        await page.screenshot(path=f"{folder}/{name}.png", full_page=True)


async def keyboard_login(page: Page, username: str, password: str) -> None:
    """Only keys: the username field has the focus; Tab to the password; Enter submits."""
    await expect(page.locator("#username")).to_be_focused()
    await page.keyboard.type(username)
    await page.keyboard.press("Tab")
    await page.keyboard.type(password)
    await page.keyboard.press("Enter")


async def set_up_council(client, agency: str) -> None:  # type: ignore[no-untyped-def]
    """The agency's council: its chair presides, its clerk is the secretary (set up through the API)."""
    chair = auth(agency, "chair")
    r = await client.post("/councils", headers=chair, json={"name": f"Hội đồng Thi đua - Khen thưởng {agency}"})
    assert r.status_code == 201, r.text
    for role, position in (("chair", "chair"), ("clerk", "secretary")):
        member = {"officer_id": f"{agency}:{role}", "position": position, "from": "2025-01-01"}
        assert (await client.post(f"/councils/{r.json()['id']}/members", headers=chair, json=member)).is_success


async def clerk_drafts_uploads_and_submits(system: RunningSystem, browser: Browser) -> str:
    """The school's clerk, in the unit's console: a draft from the catalog, two documents, submit."""
    page = await browser.new_page(locale="vi-VN")
    base = system.stack.config.url(Tier.UNIT)
    await page.goto(f"{base}/console/proposals/new")
    token = demo_token(SCHOOL, "clerk")
    await keyboard_login(page, token.lower(), token)
    await expect(page.get_by_role("heading", name="Đề nghị khen thưởng mới")).to_be_visible()
    await page.get_by_label("Họ tên / tên tập thể được đề nghị").fill("Nguyễn Thị Lan")
    await page.get_by_label("Hình thức khen thưởng").select_option(AWARD)
    await page.get_by_label("Tóm tắt thành tích, lý do đề nghị").fill("Hoàn thành xuất sắc nhiệm vụ năm 2024")
    await page.get_by_role("button", name="Tạo hồ sơ").click()
    await expect(page.get_by_role("heading", name="Nguyễn Thị Lan")).to_be_visible()
    await expect(page.get_by_role("heading", name="Kiểm tra điều kiện trước khi nộp")).to_be_visible()
    nomination_id = page.url.rsplit("/", 1)[-1]
    await page.get_by_role("button", name="Nộp hồ sơ").click()  # nothing attached yet: refused, with the reason
    await expect(page.get_by_role("alert")).to_contain_text("tờ trình")
    for kind, text in (("to_trinh", "Tờ trình đề nghị"), ("bao_cao_thanh_tich", "Báo cáo thành tích")):
        await page.get_by_label("Loại tài liệu").select_option(kind)
        content = f"{text}: Nguyễn Thị Lan".encode()
        await page.get_by_label("Tệp").set_input_files(
            {"name": f"{kind}.txt", "mimeType": "text/plain", "buffer": content}
        )
        await page.get_by_role("button", name="Tải lên").click()
        await expect(page.get_by_role("status")).to_contain_text("Tải tài liệu lên")
        await expect(page.locator("#documents")).to_contain_text(f"{kind}.txt")
    await shot(page, "draft")
    await page.get_by_role("button", name="Nộp hồ sơ").click()
    await expect(page.get_by_role("status")).to_contain_text("Nộp hồ sơ")
    await page.close()
    return nomination_id


async def test_a_nomination_from_the_clerks_draft_to_the_conferral_through_the_console(system, browser):
    unit, district = system[Tier.UNIT], system[Tier.DISTRICT]
    nomination_id = await clerk_drafts_uploads_and_submits(system, browser)
    await draft_and_submit(unit, SCHOOL, AWARD, "Trần Văn Bình")
    await wait_pending(unit, SCHOOL, nomination_id)
    assert (await decide(unit, SCHOOL, nomination_id, "forward")).status_code == 200
    await wait_pending(district, HON_DAT, nomination_id)
    await set_up_council(district, HON_DAT)

    page = await browser.new_page(locale="vi-VN")
    await page.goto(f"{system.stack.config.url(Tier.DISTRICT)}/console")
    await expect(page).to_have_url(f"{system.stack.config.url(Tier.DISTRICT)}/console/login?next=/console")
    await shot(page, "login")
    token = demo_token(HON_DAT, "chair")
    await keyboard_login(page, token.lower(), token)
    await expect(page.get_by_role("heading", name="Hồ sơ cần xử lý")).to_be_visible()

    async def badge() -> bool:  # unread notifications, in the header: counted when a page loads
        if await page.locator(".badge").is_visible():
            return True
        await page.reload()  # the notification is made from an event, which may come a moment later
        return False

    await eventually(badge, what="the unread badge in the header")
    await page.get_by_role("link", name="Thông báo").click()
    await expect(page.locator("#notices")).to_contain_text("Hồ sơ mới cần xử lý: Nguyễn Thị Lan")
    await page.goto(f"{system.stack.config.url(Tier.DISTRICT)}/console")

    await page.keyboard.press("Tab")  # the skip link first
    await expect(page.get_by_role("link", name="Bỏ qua, đến nội dung chính")).to_be_focused()
    await page.locator("#q").focus()
    await page.keyboard.type("nguyen thi lan")  # no diacritics
    await page.keyboard.press("Enter")
    rows = page.locator("table.list tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("Nguyễn Thị Lan")
    await expect(page).to_have_url(re.compile(r"q=nguyen(%20|\+)thi(%20|\+)lan"))  # the filter is kept in the address
    await shot(page, "inbox")

    await page.get_by_role("link", name="Nguyễn Thị Lan").focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="Nguyễn Thị Lan")).to_be_visible()
    timeline = page.locator("ol.timeline")
    await expect(timeline).to_contain_text("Đã nộp hồ sơ")
    await expect(timeline).to_contain_text("Trường Tiểu học Sóc Sơn")  # the unit's own steps, seen at the district
    await expect(timeline).to_contain_text("Đã trình cấp trên")
    # The tờ trình uploaded at the unit opens here, at the district, byte for byte.
    async with page.expect_download() as download:
        await page.get_by_role("link", name="to_trinh.txt").click()
    saved = await (await download.value).path()
    content = await asyncio.to_thread(saved.read_bytes)
    assert content == "Tờ trình đề nghị: Nguyễn Thị Lan".encode()
    await expect(page.locator("#documents")).to_contain_text(hashlib.sha256(content).hexdigest()[:12])

    # Forwarding before the district's council has met: the validator's reason is on the page.
    await page.locator("#reason").focus()
    await page.keyboard.type("Đủ điều kiện")
    await page.get_by_role("button", name="Trình cấp trên").focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("alert")).to_contain_text("council")
    await shot(page, "nomination")

    # The council meets in the console: the chair calls it, each member votes from their own session.
    await page.get_by_role("button", name="Họp Hội đồng về hồ sơ này").click()
    await expect(page.get_by_role("heading", name="Phiên họp Hội đồng TĐKT")).to_be_visible()
    meeting_url = page.url
    await page.get_by_role("button", name="Đồng ý", exact=True).click()
    await expect(page.locator("#receipt")).to_contain_text("Mã phiếu")
    await expect(page.get_by_role("button", name="Đồng ý", exact=True)).to_have_count(0)  # one ballot a round
    member = await browser.new_page(locale="vi-VN")  # another person, another session
    await member.goto(meeting_url)
    clerk = demo_token(HON_DAT, "clerk")
    await keyboard_login(member, clerk.lower(), clerk)
    await member.get_by_role("button", name="Đồng ý", exact=True).click()
    await expect(member.locator("#receipt")).to_be_visible()
    await member.close()
    await page.reload()
    await page.get_by_role("button", name="Kiểm phiếu, kết thúc vòng").click()
    await expect(page.locator("section.card")).to_contain_text("Đạt")
    await page.get_by_role("link", name="Biên bản họp (bản in)").click()
    await expect(page.locator("pre.minutes")).to_contain_text("BIÊN BẢN HỌP HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG")
    await shot(page, "minutes")
    await page.goto(f"{system.stack.config.url(Tier.DISTRICT)}/console/council")  # its roster, in a real browser
    await expect(page.locator("h1")).to_contain_text("Hội đồng Thi đua - Khen thưởng")
    await expect(page.locator("table.list")).to_contain_text("Chủ tịch Hội đồng")
    await shot(page, "council")
    await page.goto(f"{system.stack.config.url(Tier.DISTRICT)}/console/nominations/{nomination_id}")
    await page.get_by_role("button", name="Trình cấp trên").focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận: Trình cấp trên")
    await page.close()

    # The province's chair confers in the province's console: without a number the reason is shown.
    await wait_pending(system[Tier.PROVINCE], "P91", nomination_id)
    page = await browser.new_page(locale="vi-VN")
    await page.goto(f"{system.stack.config.url(Tier.PROVINCE)}/console/nominations/{nomination_id}")
    chair = demo_token("P91", "chair")
    await keyboard_login(page, chair.lower(), chair)
    confer = page.locator("#confer")
    await expect(confer.get_by_role("heading", name="Quyết định khen thưởng")).to_be_visible()
    await confer.get_by_role("button", name="Quyết định khen thưởng").click()
    await expect(page.get_by_role("alert")).to_contain_text("Cần nhập số quyết định khen thưởng")
    await page.locator("#confer").get_by_label("Số quyết định").fill("77/QĐ-UBND")
    await page.locator("#confer").get_by_label("Lý do / trích yếu").fill("Xuất sắc")
    await page.locator("#confer").get_by_role("button", name="Quyết định khen thưởng").click()
    await expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận: Quyết định khen thưởng")
    await page.goto(f"{system.stack.config.url(Tier.PROVINCE)}/console/delegations")
    await expect(page.locator("#new-delegation")).to_be_visible()
    await shot(page, "delegations")
    # The year's statistics at the province: the conferral counts, with its chart drawn on the server.
    await page.goto(f"{system.stack.config.url(Tier.PROVINCE)}/console/statistics?year=2025")
    await expect(page.locator("#chart svg")).to_be_visible()
    await expect(page.locator("#summary")).to_contain_text("Tổng số khen thưởng")
    await shot(page, "statistics")
    await page.close()

    # The proposer sees the outcome, with its decision, in its own list and on the page.
    page = await browser.new_page(locale="vi-VN")
    await page.goto(f"{system.stack.config.url(Tier.UNIT)}/console/proposals")
    clerk = demo_token(SCHOOL, "clerk")
    await keyboard_login(page, clerk.lower(), clerk)
    row = page.locator("table.list tbody tr", has_text="Nguyễn Thị Lan")
    await expect(row).to_contain_text("Đã khen thưởng", timeout=30_000)
    await row.get_by_role("link").click()
    await expect(page.locator("#outcome")).to_contain_text("77/QĐ-UBND")
    await expect(page.locator("#outcome")).to_contain_text("Xuất sắc")  # the decision's reason, as the province gave it
    await expect(page.locator("ol.timeline")).to_contain_text("Đã khen thưởng")
    await page.goto(f"{system.stack.config.url(Tier.UNIT)}/console/notifications")
    await expect(page.locator("#notices")).to_contain_text("Đã có quyết định khen thưởng 77/QĐ-UBND")
    await page.close()

    # The province's auditor verifies its chain and finds the conferral among its records.
    page = await browser.new_page(locale="vi-VN")
    await page.goto(f"{system.stack.config.url(Tier.PROVINCE)}/console/audit")
    auditor = demo_token("P91", "auditor")
    await keyboard_login(page, auditor.lower(), auditor)
    await expect(page.locator("#chain")).to_contain_text("Chuỗi nhật ký toàn vẹn")
    await page.get_by_label("Mã hồ sơ").fill(nomination_id)
    await page.get_by_label("Mã hồ sơ").press("Enter")
    await expect(page.locator("table.list")).to_contain_text("decision.confer")
    await shot(page, "audit")
    await page.close()


async def test_five_wrong_passwords_lock_the_account(system, browser):
    page = await browser.new_page()
    await page.goto(f"{system.stack.config.url(Tier.DISTRICT)}/console/login")
    clerk = demo_token(HON_DAT, "clerk")
    for attempt in range(5):
        await page.fill("#username", clerk.lower())
        await page.fill("#password", f"sai-mat-khau-{attempt}")
        await page.get_by_role("button", name="Đăng nhập").click()
        await expect(page.get_by_role("alert")).to_be_visible()
    await page.fill("#username", clerk.lower())
    await page.fill("#password", clerk)  # the right password, too late
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page.get_by_role("alert")).to_contain_text("locked")
    await expect(page).to_have_url(f"{system.stack.config.url(Tier.DISTRICT)}/console/login")
    # The API refuses the same officer's demo-free login too: the lock is the account's.
    r = await system[Tier.DISTRICT].post("/auth/login", json={"username": clerk.lower(), "password": clerk})
    assert r.status_code == 423
    assert (await system[Tier.DISTRICT].get("/me", headers=auth(HON_DAT, "chair"))).status_code == 200
    await page.close()
