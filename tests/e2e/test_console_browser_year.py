"""The emulation year's pages in a real browser (Playwright driving Debian's chromium) against the
running system shared with tests/e2e/test_console_browser.py: the province's chair launches a
movement and the school registers with its pledge; the province forms a cụm of three districts,
scores and ranks it, and the ranking drafts the proposals; the district's chair confers on three
awardees with one decision from the inbox, opens the decision's papers, and reads the year's
statistics with their chart. Every officer logs in through the login form."""

import asyncio
import io
import re
from collections.abc import Callable

from docx import Document
from playwright.async_api import Browser, Locator, Page, expect

from deploy.demo_data import demo_token
from shared.contracts.tiers import Tier
from shared.text import collation_key
from tests.e2e import test_console_browser as shared
from tests.e2e.conftest import RunningSystem
from tests.e2e.test_console_browser import HON_DAT, SCHOOL, keyboard_login, shot
from tests.helpers import decide, draft_and_submit, wait_pending

system, browser = shared.system, shared.browser  # the same stack and chromium as the console's tests
PROVINCE = "P91"
DISTRICTS = ["D902", "D904", HON_DAT]  # Kiên Lương, Tân Hiệp, Hòn Đất: a cụm of three
AWARDEES = ["Đỗ Thị Ngọc Ánh", "Hà Văn Khải", "Mai Thị Thu Hà"]  # the school's teachers
CONFER = "Quyết định khen thưởng (một quyết định cho các hồ sơ đã chọn)"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


async def logged_in(browser: Browser, system: RunningSystem, tier: Tier, agency: str, role: str, path: str) -> Page:
    """A new page at `path`, through the login form the console sends a stranger to."""
    page = await browser.new_page(locale="vi-VN")
    await page.goto(f"{system.stack.config.url(tier)}{path}")
    token = demo_token(agency, role)
    await keyboard_login(page, token.lower(), token)
    await expect(page).not_to_have_url(re.compile("/console/login"))  # the form answered
    return page


async def until(page: Page, url: str, shown: Callable[[], Locator], within: float = 30) -> None:
    """Open `url` again until what another service sent (an event) is on the page."""
    for _ in range(int(within * 2)):
        await page.goto(url)
        if await shown().count():
            return
        await asyncio.sleep(0.5)
    await expect(shown()).to_be_visible()  # fails with Playwright's own message


async def test_a_movement_launched_by_the_province_and_joined_by_the_school(system, browser):
    province_url = system.stack.config.url(Tier.PROVINCE)
    page = await logged_in(browser, system, Tier.PROVINCE, PROVINCE, "chair", "/console/movements")
    await expect(page.get_by_role("heading", name=re.compile("^Phong trào thi đua"))).to_be_visible()
    launch = page.locator("#launch")
    await launch.get_by_label("Tên phong trào").fill("Thi đua dạy tốt, học tốt năm học 2024-2025")
    await launch.get_by_label("Chủ đề, nội dung").fill("Đổi mới phương pháp dạy học")
    await launch.get_by_label("Văn bản phát động (số, ngày)").fill("Kế hoạch số 21/KH-UBND ngày 02/5/2025")
    await launch.get_by_label("Hình thức").select_option(label="Hằng năm")
    await launch.get_by_label("Phạm vi").select_option(label="Bộ, ngành, tỉnh")
    await launch.get_by_label("Từ ngày").fill("2025-05-02")
    await launch.get_by_label(re.compile("^Đến ngày")).fill("2025-12-31")
    await launch.get_by_label(re.compile("^Tiêu chí")).fill(
        "* Hoàn thành 100% chỉ tiêu dạy học\nMỗi trường một sáng kiến"
    )
    await launch.get_by_role("button", name="Phát động phong trào").click()
    await expect(page.get_by_role("heading", name="Thi đua dạy tốt, học tốt năm học 2024-2025")).to_be_visible()
    await expect(page.locator("#status")).to_have_text("Đang phát động")
    await expect(page.get_by_role("listitem").filter(has_text="Hoàn thành 100% chỉ tiêu dạy học")).to_contain_text(
        "(bắt buộc)"
    )
    movement_url = page.url
    await page.get_by_role("link", name="← Phong trào thi đua").click()
    row = page.locator("table.list tbody tr", has_text="Thi đua dạy tốt, học tốt năm học 2024-2025")
    await expect(row).to_contain_text("Hằng năm")
    await expect(row).to_contain_text("Đang phát động")
    await expect(row).to_contain_text("02/05/2025 – 31/12/2025")

    # The school, at its own service, finds the province's movement and registers with its pledge.
    school = await logged_in(browser, system, Tier.UNIT, SCHOOL, "clerk", "/console/movements")
    school_url = movement_url.replace(province_url, system.stack.config.url(Tier.UNIT))
    await until(school, school_url, lambda: school.locator("#register"))
    register = school.locator("#register")
    await expect(register.get_by_label("Hoàn thành 100% chỉ tiêu dạy học")).to_be_checked()  # mandatory
    await register.get_by_label("Mỗi trường một sáng kiến").check()
    await register.get_by_label(re.compile("^Nội dung đăng ký")).fill("Mỗi giáo viên một bài giảng điện tử")
    await register.get_by_role("button", name="Đăng ký thi đua").click()
    await expect(school.get_by_role("status")).to_have_text("Đã đăng ký thi đua.")
    await expect(school.locator("#registrations")).to_contain_text("2 tiêu chí cam kết")
    await expect(school.locator("#register")).to_have_count(0)  # once
    await shot(school, "movement")
    await school.close()

    # The launcher sees the registration, then moves the movement on to its awards.
    await until(page, movement_url, lambda: page.locator("#registrations", has_text=SCHOOL))
    await expect(page.locator("#registrations")).to_contain_text("Mỗi giáo viên một bài giảng điện tử")
    move_on = page.get_by_role("button", name="Chuyển sang “Đang xét khen thưởng”")
    await move_on.click()  # not before its final review: the reason is on the page
    await expect(page.get_by_role("alert")).to_have_text("cần tổng kết phong trào trước khi xét khen thưởng")
    review = page.locator("#review")
    await review.get_by_label("Loại").select_option(label="Tổng kết")
    await review.get_by_label("Ngày tổ chức").fill("2025-05-14")
    await review.get_by_label("Kết quả").fill("120 trường tham gia, 35 sáng kiến được công nhận")
    await review.get_by_role("button", name="Ghi nhận sơ kết, tổng kết").click()
    await expect(page.get_by_role("status")).to_have_text("Đã ghi nhận sơ kết, tổng kết.")
    await expect(page.locator("#reviews")).to_contain_text("Tổng kết 14/05/2025: 120 trường tham gia")
    await expect(page.locator("#status")).to_have_text("Đang xét khen thưởng")  # the final review moved it on
    await page.get_by_label("Ghi chú (ví dụ: các quyết định khen thưởng)").fill("Quyết định số 60/QĐ-UBND")
    await page.get_by_role("button", name="Chuyển sang “Đã khen thưởng”").click()
    await expect(page.get_by_role("status")).to_have_text("Đã chuyển trạng thái phong trào.")
    await expect(page.locator("#status")).to_have_text("Đã khen thưởng")
    await page.close()


async def test_a_cluster_of_districts_ranked_with_its_proposals_drafted(system, browser):
    page = await logged_in(browser, system, Tier.PROVINCE, PROVINCE, "chair", "/console/clusters")
    form = page.locator("#form-cluster")
    await form.get_by_label("Mã cụm, khối").fill("p91-cum-bac")
    await form.get_by_label("Tên cụm, khối").fill("Cụm thi đua các huyện phía Bắc")
    await form.get_by_label("Loại").select_option(label="Cụm thi đua")
    await form.get_by_label("Ngày thành lập").fill("2025-05-02")
    await form.get_by_label("Hình thức đề nghị cho hạng 1").fill("CO_THI_DUA_TINH")
    await form.get_by_label("Hình thức đề nghị cho hạng 2").fill("BANG_KHEN_TINH")
    await form.get_by_label("Hình thức đề nghị cho hạng 3").fill("BANG_KHEN_TINH")
    await form.get_by_role("button", name="Thành lập cụm, khối").click()
    await expect(page.get_by_role("heading", name="Cụm thi đua các huyện phía Bắc (P91-CUM-BAC)")).to_be_visible()
    members = page.locator("#add-member")
    for district in DISTRICTS:
        await members.get_by_label("Mã cơ quan").fill(district.lower())  # written as it comes
        await members.get_by_label("Từ ngày").fill("2025-05-02")
        await members.get_by_role("button", name="Thêm thành viên").click()
        await expect(page.get_by_role("status")).to_have_text("Đã ghi nhận.")
    await expect(page.locator("#members tbody tr")).to_have_count(3)
    lead = page.locator("#add-lead")
    await lead.get_by_label("Mã cơ quan").fill(HON_DAT)
    await lead.get_by_label("Vai trò").select_option(label="Trưởng")
    await lead.get_by_label("Từ ngày").fill("2025-05-02")
    await lead.get_by_label("Đến ngày").fill("2025-12-31")
    await lead.get_by_role("button", name="Ghi nhận trưởng, phó").click()
    await expect(page.locator("#leads")).to_contain_text(f"Trưởng: {HON_DAT} (02/05/2025 – 31/12/2025)")

    year = page.locator("#open-year")
    await year.get_by_label("Năm").fill("2025")
    await year.get_by_label(re.compile("^Nội dung giao ước")).fill("Hoàn thành 100% chỉ tiêu kinh tế - xã hội")
    await year.get_by_label(re.compile("^Tiêu chí chấm điểm")).fill(
        "Hoàn thành nhiệm vụ chính trị | 60\nTổ chức phong trào thi đua | 40"
    )
    await year.get_by_role("button", name="Mở năm thi đua").click()
    section = page.get_by_role("region", name="Năm 2025")
    await expect(section.get_by_role("listitem")).to_have_text(["Hoàn thành 100% chỉ tiêu kinh tế - xã hội"])
    for district, (politics, movement) in zip(DISTRICTS, [(50, 30), (55, 30), (58, 36)], strict=True):
        signing = section.locator("form", has=page.get_by_role("button", name="Ký giao ước"))
        await signing.get_by_label("Mã cơ quan").fill(district)
        await signing.get_by_role("button", name="Ký giao ước").click()
        await expect(section).to_contain_text(f"{district} (15/05/2025)")
        score = page.locator("#score-2025")
        await score.get_by_label("Cơ quan được chấm").fill(district)
        await score.get_by_label("Loại điểm").select_option(label="Điểm chính thức")
        await score.get_by_label("Hoàn thành nhiệm vụ chính trị (≤ 60)").fill(str(politics))
        await score.get_by_label("Tổ chức phong trào thi đua (≤ 40)").fill(str(movement))
        await score.get_by_role("button", name="Ghi điểm").click()
        await expect(section.get_by_role("row", name=district)).to_contain_text(str(politics + movement))
    await expect(section).to_contain_text("Đã ký giao ước: 3 / 3")
    await section.get_by_role("button", name="Xếp hạng và lập đề nghị khen thưởng").click()

    ranking = page.get_by_role("table", name="Kết quả bình xét, xếp hạng")
    rows = ranking.locator("tbody tr")
    await expect(rows).to_have_count(3)
    first, second, third = (
        (HON_DAT, "94", "CO_THI_DUA_TINH"),
        ("D904", "85", "BANG_KHEN_TINH"),
        ("D902", "80", "BANG_KHEN_TINH"),
    )
    for rank, (row, (agency, points, award)) in enumerate(zip(await rows.all(), [first, second, third], strict=True)):
        named = re.compile(rf"^.+ \({agency}\)$")  # the member under its name of the year ranked
        await expect(row.locator("td")).to_have_text([str(rank + 1), named, points, "", award])
    await expect(section.get_by_role("button", name="Xếp hạng và lập đề nghị khen thưởng")).to_have_count(0)
    await shot(page, "cluster")

    # The leader's Cờ thi đua is a draft of the province's, eligible by the ranking; the others' Bằng khen too.
    await ranking.get_by_role("link", name="CO_THI_DUA_TINH").click()
    await expect(page.get_by_role("heading", name="Huyện Hòn Đất")).to_be_visible()
    await expect(page.locator("dl.facts")).to_contain_text("CO_THI_DUA_TINH")
    led = page.get_by_role("row", name=re.compile("^Dẫn đầu cụm, khối thi đua"))  # the pre-check reads the ranking
    await expect(led).to_contain_text("Đạt")
    await page.goto(f"{system.stack.config.url(Tier.PROVINCE)}/console/proposals")
    for name in ("Huyện Kiên Lương", "Huyện Tân Hiệp", "Huyện Hòn Đất"):
        await expect(page.locator("table.list tbody tr", has_text=name)).to_contain_text("Dự thảo")
    await page.close()


async def three_pending_at_the_district(system: RunningSystem) -> None:
    """Three teachers' Lao động tiên tiến, proposed by the school and sent up by it (through the API)."""
    unit = system[Tier.UNIT]
    ids = [(await draft_and_submit(unit, SCHOOL, "LAO_DONG_TIEN_TIEN", name))["nomination_id"] for name in AWARDEES]
    for nomination_id in ids:
        await wait_pending(unit, SCHOOL, nomination_id)
        assert (await decide(unit, SCHOOL, nomination_id, "forward", reason="Đủ điều kiện")).status_code == 200
    for nomination_id in ids:
        await wait_pending(system[Tier.DISTRICT], HON_DAT, nomination_id)


async def test_one_decision_for_many_from_the_inbox_its_papers_and_the_years_statistics(system, browser):
    await three_pending_at_the_district(system)
    district = system.stack.config.url(Tier.DISTRICT)
    page = await logged_in(browser, system, Tier.DISTRICT, HON_DAT, "chair", "/console")
    bulk = page.locator("#bulk")

    refreshed: list[str] = []  # the inbox's live filter asking for its rows again (which drops the ticks)
    page.on("request", lambda r: refreshed.append(r.url) if r.headers.get("hx-request") and "?" in r.url else None)

    async def confer(number: str) -> None:
        for name in AWARDEES:
            await bulk.get_by_label(f"Chọn hồ sơ: {name}").check()
        refreshed.clear()
        await bulk.get_by_label("Thao tác").select_option(label=CONFER)
        await bulk.get_by_label("Số quyết định (khi quyết định khen thưởng)").fill(number)
        await bulk.get_by_label("Lý do / nội dung nhắc").fill("Đạt danh hiệu Lao động tiên tiến năm 2024")
        await page.wait_for_timeout(300)
        assert not refreshed, f"choosing the bulk action refreshed the rows: {refreshed}"
        for name in AWARDEES:
            await expect(bulk.get_by_label(f"Chọn hồ sơ: {name}")).to_be_checked()
        await bulk.get_by_role("button", name="Thực hiện với các hồ sơ đã chọn").click()

    await confer("")  # no number: refused as a whole, nothing conferred
    await expect(page.get_by_role("alert")).to_contain_text("Cần nhập số quyết định khen thưởng")
    await confer("52/QĐ-UBND")
    results = page.locator("#bulk-results")
    await expect(results).to_contain_text("3 hồ sơ đã thực hiện, số không thực hiện được: 0")
    for name in AWARDEES:
        await expect(results.get_by_role("listitem").filter(has_text=name)).to_contain_text("Đã thực hiện")
    await shot(page, "bulk_confer")

    # The decision's page, from the results: every awardee under its number, and its papers.
    await results.get_by_role("link", name="Xem quyết định và danh sách được khen thưởng 52/QĐ-UBND").click()
    await expect(page.get_by_role("heading", name="Quyết định khen thưởng số 52/QĐ-UBND")).to_be_visible()
    awardees = page.get_by_role("table", name="Danh sách được khen thưởng: 3")
    await expect(awardees.locator("tbody tr td:first-child")).to_have_text(sorted(AWARDEES, key=collation_key))
    await expect(awardees.locator("tbody tr").first).to_contain_text("Lao động tiên tiến")
    await expect(awardees.locator("tbody tr").first).to_contain_text("Trường Tiểu học Sóc Sơn")
    await shot(page, "decision")
    papers = {}
    for link, media in (
        ("Quyết định khen thưởng (DOCX)", DOCX), ("Quyết định khen thưởng (PDF)", PDF),
        ("Bằng khen, giấy khen của mọi người, tập thể được khen (PDF)", PDF),
    ):  # fmt: skip
        href = await page.get_by_role("link", name=link).get_attribute("href")
        paper = await page.request.get(f"{district}{href}")  # with the page's session
        assert paper.status == 200 and paper.headers["content-type"] == media, (link, paper.status, paper.headers)
        papers[link] = await paper.body()
        assert papers[link].startswith(b"PK" if media == DOCX else b"%PDF-"), link
    read = Document(io.BytesIO(papers["Quyết định khen thưởng (DOCX)"]))
    cells = {cell.text for table in read.tables for row in table.rows for cell in row.cells}
    assert set(AWARDEES) <= cells, cells  # the quyết định lists every awardee of its number
    assert "52/QĐ-UBND" in "\n".join([p.text for p in read.paragraphs] + sorted(cells))
    await page.get_by_label("Số quyết định").fill("99/QĐ-UBND")  # a number never used here: said so
    await page.get_by_label("Số quyết định").press("Enter")
    await expect(page.get_by_role("alert")).to_contain_text("chưa có quyết định khen thưởng số 99/QĐ-UBND")

    # The year's statistics at the district: the chart drawn on the server and the table agree.
    url = f"{district}/console/statistics?year=2025"
    table = page.locator("#summary")
    base_rows = table.get_by_role("row", name=re.compile("^Cấp cơ sở: (Cá nhân|Tập thể|Hộ gia đình)"))
    await until(page, url, lambda: base_rows)
    chart = page.get_by_role("img", name="Số khen thưởng theo cấp, năm 2024 và 2025")
    await expect(chart).to_be_visible()
    await expect(chart.locator("text")).to_contain_text(["Cấp Nhà nước", "Cấp bộ, ngành, tỉnh", "Cấp cơ sở"])
    base = sum([int(await row.locator("td").nth(2).inner_text()) for row in await base_rows.all()])
    assert base >= len(AWARDEES)  # the three conferred today, at least
    await expect(table.get_by_role("row", name=re.compile("^Tổng số khen thưởng")).locator("td").nth(2)).to_have_text(
        re.compile(r"^\d+$")
    )
    bars = chart.locator("rect")  # by level (Nhà nước, bộ/tỉnh, cơ sở), the year before then the year
    await expect(bars).to_have_count(6)
    await expect(bars.nth(5).locator("title")).to_have_text(f"2025: {base}")
    await expect(chart.locator("text", has_text=re.compile(f"^{base}$")).first).to_be_attached()  # its label
    await page.close()
