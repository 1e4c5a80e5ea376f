"""A decision for many on the console (in process, SQLite: the page is the subject): its number's
awardees with their award and proposer, its papers downloaded with the session, a number the agency
never used said so in Vietnamese (and in English with the switch), another agency's number not found."""

import pytest

from services.kit.console.session import COOKIE
from shared.contracts.tiers import Tier
from tests.integration.kit.test_papers import NAMES, NUMBER, TODAY, confer, docx_text, open_at_district

pytestmark = pytest.mark.parametrize("tier_http", ["sqlite"], indirect=True)


async def test_a_decisions_page_lists_its_awardees_and_gives_its_papers(tier_http):
    client, sessions = await tier_http(Tier.DISTRICT, business_date=TODAY)
    for name in NAMES:
        await confer(sessions, *await open_at_district(sessions, name))
    client.cookies.set(COOKIE, "demo-D903-chair")

    page = await client.get("/console/decisions", params={"number": NUMBER})
    assert page.status_code == 200, page.text
    awardees = page.text.split('id="awardees"')[1]
    assert "Danh sách được khen thưởng: 2" in awardees and all(name in awardees for name in NAMES)
    assert "Giấy khen" in awardees and "Trường Tiểu học Sóc Sơn" in awardees
    assert "Quyết định khen thưởng số 31/QĐ-UBND" in page.text and "15/05/2025" in page.text
    paper = await client.get("/console/decisions/quyet_dinh.docx", params={"number": NUMBER})
    assert paper.status_code == 200 and all(name in docx_text(paper.content) for name in NAMES)
    # The PDFs are made as the API's (tests/integration/kit/test_papers.py); the browser test downloads them.
    assert (await client.get("/console/decisions/hop_dong.pdf", params={"number": NUMBER})).status_code == 404

    asked = await client.get("/console/decisions")  # no number yet: the form that asks for one
    assert asked.status_code == 200 and 'id="lookup"' in asked.text and 'id="awardees"' not in asked.text
    unknown = await client.get("/console/decisions", params={"number": "99/QĐ-UBND"})
    assert unknown.status_code == 404 and "chưa có quyết định khen thưởng số 99/QĐ-UBND" in unknown.text
    english = await client.get("/console/decisions", params={"number": "99/QĐ-UBND", "lang": "en"})
    assert "no decision 99/QĐ-UBND" in english.text

    client.cookies.set(COOKIE, "demo-D902-chair")  # another district: not its decision
    assert (await client.get("/console/decisions", params={"number": NUMBER})).status_code == 404
    assert (await client.get("/console/decisions/quyet_dinh.docx", params={"number": NUMBER})).status_code == 404
