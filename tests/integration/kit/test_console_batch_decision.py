"""The inbox filtered by a tờ trình, and its decision on every awardee pending here, through HTTP (in
process, no workflow engine): what the form offers and to whom, a request refused as a whole, and a
step that could decide none of its awardees, which stops and names each one's refusal. The steps that
do decide, and the page asking for the next by itself, are in tests/e2e/test_console_browser_year.py."""

import re
from datetime import date

import pytest
from temporalio.client import Client

from deploy.embedded import free_port
from services.kit.workflow_client import NominationClient
from shared.contracts.tiers import Tier
from tests.integration.kit.test_console_inbox import logged_in, review

NUMBER, OTHER = "12/TTr-THSS", "13/TTr-THSS"
pytestmark = pytest.mark.parametrize("tier_http", ["sqlite"], indirect=True)


async def district_with_a_tờ_trình(tier_http):  # type: ignore[no-untyped-def]
    nowhere = NominationClient(await Client.connect(f"127.0.0.1:{free_port()}", lazy=True))
    client, sessions = await tier_http(Tier.DISTRICT, business_date=date(2025, 5, 15), nominations=nowhere)
    rows = [
        review("n-a", "Nguyễn Văn An", "individual"),
        review("n-b", "Trần Thị Bình", "individual"),
        review("n-c", "Lê Văn Cường", "individual", status="forwarded"),
        review("n-d", "Phạm Thị Dung", "individual"),
    ]
    for row, number in zip(rows, [NUMBER, NUMBER, NUMBER, OTHER], strict=True):
        row.batch_no = number
    async with sessions() as session, session.begin():
        session.add_all(rows)
    return client


def text_of(page: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</', page, re.S)
    assert found, f"no #{element_id} in the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(1))).strip()


async def test_the_inbox_filtered_by_a_tờ_trình_offers_its_decision_to_whoever_may_decide(tier_http):
    client = await district_with_a_tờ_trình(tier_http)
    await logged_in(client, "chair")
    page = (await client.get("/console", params={"batch": NUMBER})).text
    assert f'<option value="{NUMBER}" selected>' in page and f'<option value="{OTHER}" >' in page
    assert "Trần Thị Bình" in page and "Phạm Thị Dung" not in page  # the rows: that tờ trình's only
    section = page[page.index('id="batch-decision"') :]
    assert f"Xử lý cả tờ trình {NUMBER}" in section and "2 hồ sơ của tờ trình đang chờ" in section
    assert 'name="batch_no" value="12/TTr-THSS"' in section
    # Rows swapped by the filters (htmx) carry the section too.
    rows = (await client.get("/console", params={"batch": NUMBER}, headers={"HX-Request": "true"})).text
    assert 'id="batch-decision"' in rows
    # No tờ trình chosen, or one with nothing pending here: no such form.
    assert 'id="batch-decision"' not in (await client.get("/console")).text
    assert 'id="batch-decision"' not in (await client.get("/console", params={"batch": "99/TTr-X"})).text

    await logged_in(client, "clerk")  # a clerk may not decide: the filter, not the form
    page = (await client.get("/console", params={"batch": NUMBER})).text
    assert "Trần Thị Bình" in page and 'id="batch-decision"' not in page


async def test_a_conferral_without_its_number_is_refused_whole_and_the_form_keeps_what_was_typed(tier_http):
    client = await district_with_a_tờ_trình(tier_http)
    csrf = await logged_in(client, "chair")
    form = {"csrf": csrf, "batch_no": NUMBER, "action": "confer", "reason": "Đạt danh hiệu"}
    r = await client.post("/console/batch-decision", data=form, headers={"HX-Request": "true"})
    assert r.status_code == 422, r.text
    assert "Cần nhập số quyết định khen thưởng" in text_of(r.text, "batch-refusal")
    assert 'id="batch-decision-form"' in r.text and 'value="Đạt danh hiệu"' in r.text
    assert "<html" not in r.text  # htmx swaps the section alone
    unknown = await client.post("/console/batch-decision", data={**form, "batch_no": "99/TTr-X", "decision_no": "1/QĐ"})
    assert unknown.status_code == 404 and "99/TTr-X" in text_of(unknown.text, "batch-refusal")
    assert "<html" in unknown.text  # without htmx, the whole page
    forged = await client.post("/console/batch-decision", data={**form, "csrf": "x"})
    assert forged.status_code == 403


async def test_a_step_that_decides_none_stops_and_names_each_refusal(tier_http):
    """Forwarding needs this level's council first: both awardees are refused by the district's own
    checks, so the step moves nothing, offers no automatic next step, and lists each refusal."""
    client = await district_with_a_tờ_trình(tier_http)
    csrf = await logged_in(client, "chair")
    form = {"csrf": csrf, "batch_no": NUMBER, "action": "forward", "reason": "Đủ điều kiện"}
    r = await client.post("/console/batch-decision", data=form, headers={"HX-Request": "true"})
    assert r.status_code == 200, r.text
    assert text_of(r.text, "batch-progress-text") == "Trình cấp trên: 0/2 hồ sơ đã xử lý"
    assert text_of(r.text, "batch-stopped").startswith("2 hồ sơ vẫn đang chờ")
    refusals = re.findall(r'<li class="error" data-nomination="([^"]+)">(.*?)</li>', r.text, re.S)
    assert [n for n, _ in refusals] == ["n-a", "n-b"]
    assert all("Chưa trình cấp trên được" in text for _, text in refusals), refusals
    again = r.text[r.text.index('id="batch-next"') :]
    assert "hx-trigger" not in again.split(">", 1)[0] and "Thử lại" in again  # the officer's, not the page's
