"""The papers of a conferred nomination at the conferring service, through HTTP: the quyết định as
DOCX and PDF listing every awardee of its number with the number, the date line and the signer
(read back with python-docx and pypdf, diacritics intact), the certificate, the tờ trình of a level
that sends a nomination up; 404 for another agency or an unknown id, 409 before a conferral; the
console page's links, downloaded with the session. SQLite only: the papers are the subject."""

import io
import uuid
from datetime import UTC, date, datetime

import pytest
from docx import Document
from pypdf import PdfReader

from deploy.demo_data import HON_DAT, KIEN_GIANG, demo_token
from services.kit.console.session import COOKIE
from services.kit.nominations.activities import NominationActivities
from shared.contracts.nomination import DecisionInput, NominationInput, OpenReviewArgs, RecordDecisionArgs, RouteStep
from shared.contracts.tiers import Tier
from tests.helpers import auth

pytestmark = pytest.mark.parametrize("tier_http", ["sqlite"], indirect=True)
TODAY = date(2025, 5, 20)
NUMBER = "31/QĐ-UBND"
SIGNER = "Lý Văn Sơn"
NAMES = ["Trần Thị Bé", "Nguyễn Văn Ưởng"]


async def open_at_district(sessions, name: str, award: str = "GIAY_KHEN") -> tuple[str, NominationInput]:
    """A nomination from the demo school pending at Hòn Đất, which confers it (route school → district)."""
    nid = str(uuid.uuid4())
    nomination = NominationInput(
        nomination_id=nid, award_code=award, nominee_name=name, proposer_agency="U91-0001",
        submitted_by="U91-0001:clerk", submitted_at=datetime.now(UTC).isoformat(), regime="ND152",
        route=[RouteStep("unit", "U91-0001", role="proposes"),
               RouteStep("district", HON_DAT, confers=True, role="confers")],
        nominee_kind="individual", period_year=2024,
    )  # fmt: skip
    activities = NominationActivities(sessions, on_commit=lambda: None, tier="district")
    await activities.open_review(OpenReviewArgs(nomination, f"nomination-{nid}", 1, 1, f"open:{nid}"))
    return nid, nomination


async def confer(sessions, nid: str, nomination: NominationInput) -> None:
    decision = DecisionInput(
        action="confer", agency_code=HON_DAT, tier="district", officer_id=f"{HON_DAT}:chair", officer_role="chair",
        decision_no=NUMBER, decided_on="2025-05-15", signer=SIGNER, reason="thành tích xuất sắc năm học 2024-2025",
    )  # fmt: skip
    activities = NominationActivities(sessions, on_commit=lambda: None, tier="district")
    await activities.record_decision(
        RecordDecisionArgs(
            nomination, f"nomination-{nid}", 1, 1, decision, None, f"decide:{nid}", datetime.now(UTC).isoformat()
        )
    )


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def pdf_text(content: bytes) -> str:
    """The text with its whitespace folded: a table cell wraps its words over lines."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


async def test_a_conferred_nominations_decision_certificate_and_proposal(tier_http):
    client, sessions = await tier_http(Tier.DISTRICT, business_date=TODAY)
    chair = auth(HON_DAT, "chair")
    ids = []
    for name in NAMES:
        nid, nomination = await open_at_district(sessions, name)
        await confer(sessions, nid, nomination)
        ids.append(nid)
    pending, _ = await open_at_district(sessions, "Lê Thị Chưa")

    docx = await client.get(f"/nominations/{ids[0]}/decision.docx", headers=chair)
    pdf = await client.get(f"/nominations/{ids[0]}/decision.pdf", headers=chair)
    assert docx.status_code == pdf.status_code == 200, docx.text + pdf.text
    assert pdf.headers["content-type"] == "application/pdf" and "quyet_dinh.pdf" in pdf.headers["content-disposition"]
    for text in (docx_text(docx.content), pdf_text(pdf.content)):
        for expected in (f"Số: {NUMBER}", "Hòn Đất, ngày 15 tháng 05 năm 2025", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                         "Độc lập - Tự do - Hạnh phúc", *NAMES, "Giấy khen", SIGNER, "CHỦ TỊCH", "Nơi nhận:",
                         "Khen thưởng 2 tập thể, cá nhân", "năm học 2024-2025", "Trường Tiểu học Sóc Sơn"):  # fmt: skip
            assert expected in text, (expected, text[:3000])

    certificate = await client.get(f"/nominations/{ids[1]}/certificate.pdf", headers=chair)
    assert certificate.status_code == 200
    text = pdf_text(certificate.content)
    assert "Thành tích xuất sắc năm học 2024-2025." in text  # the reason the conferral recorded
    assert "GIẤY KHEN" in text and NAMES[1] in text and NAMES[0] not in text and NUMBER in text and SIGNER in text

    assert (await client.get(f"/nominations/{pending}/decision.docx", headers=chair)).status_code == 409
    assert (await client.get(f"/nominations/{pending}/certificate.pdf", headers=chair)).status_code == 409
    for stranger, path in ((auth("D902", "chair"), f"/nominations/{ids[0]}/decision.pdf"),
                           (auth("D902", "chair"), f"/nominations/{ids[0]}/certificate.pdf"),
                           (auth("D902", "chair"), f"/nominations/{pending}/proposal.pdf"),
                           (chair, f"/nominations/{uuid.uuid4()}/decision.docx")):  # fmt: skip
        assert (await client.get(path, headers=stranger)).status_code == 404, path
    # Hòn Đất confers: it has nobody above it to write a tờ trình to.
    assert (await client.get(f"/nominations/{pending}/proposal.docx", headers=chair)).status_code == 409


async def test_a_decision_for_many_by_its_number_as_pdf_and_its_certificates(tier_http):
    """The quyết định of a number as PDF, with the signer and reason its conferral recorded, and
    every awardee's certificate in one PDF, a page each; another agency's number is not found."""
    client, sessions = await tier_http(Tier.DISTRICT, business_date=TODAY)
    chair = auth(HON_DAT, "chair")
    for name in NAMES:
        await confer(sessions, *await open_at_district(sessions, name))

    pdf = await client.get("/papers/decision.pdf", params={"number": NUMBER}, headers=chair)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf", pdf.text
    text = pdf_text(pdf.content)
    assert all(part in text for part in (*NAMES, f"Số: {NUMBER}", SIGNER, "năm học 2024-2025")), text[:2000]
    docx = await client.get("/papers/decision.docx", params={"number": NUMBER}, headers=chair)
    assert SIGNER in docx_text(docx.content)  # the signer the conferral recorded, not a blank line
    certificates = await client.get("/papers/certificates.pdf", params={"number": NUMBER}, headers=chair)
    pages = PdfReader(io.BytesIO(certificates.content)).pages
    texts = [" ".join(page.extract_text().split()) for page in pages]
    assert len(texts) == 2 and sorted(n for n in NAMES for t in texts if n in t) == sorted(NAMES), texts
    assert not any(all(n in t for n in NAMES) for t in texts)  # one awardee a page
    for path in ("/papers/decision.pdf", "/papers/certificates.pdf"):
        stranger = await client.get(path, params={"number": NUMBER}, headers=auth("D902", "chair"))
        assert stranger.status_code == 404, path


async def test_a_forwarding_level_writes_its_to_trinh_and_the_console_links_the_papers(tier_http):
    client, sessions = await tier_http(Tier.DISTRICT, business_date=TODAY)
    nid = str(uuid.uuid4())
    nomination = NominationInput(
        nomination_id=nid, award_code="BANG_KHEN_TINH", nominee_name=NAMES[0], proposer_agency="U91-0001",
        submitted_by="U91-0001:clerk", submitted_at=datetime.now(UTC).isoformat(), regime="ND152",
        route=[RouteStep("unit", "U91-0001", role="proposes"), RouteStep("district", HON_DAT),
               RouteStep("province", KIEN_GIANG, confers=True, role="confers")],
        nominee_kind="individual", period_year=2024,
    )  # fmt: skip
    activities = NominationActivities(sessions, on_commit=lambda: None, tier="district")
    await activities.open_review(OpenReviewArgs(nomination, f"nomination-{nid}", 1, 1, f"open:{nid}"))
    chair = auth(HON_DAT, "chair")
    docx = await client.get(f"/nominations/{nid}/proposal.docx", headers=chair)
    pdf = await client.get(f"/nominations/{nid}/proposal.pdf", headers=chair)
    assert docx.status_code == pdf.status_code == 200, docx.text
    for text in (docx_text(docx.content), pdf_text(pdf.content)):
        for expected in ("TỜ TRÌNH", "Hòn Đất, ngày 20 tháng 05 năm 2025", NAMES[0], "Bằng khen", "/TTr"):
            assert expected in text, (expected, text[:3000])
        assert "Kiên Giang" in text.split("Kính gửi:")[1][:80]  # to the next level of the route

    token = demo_token(HON_DAT, "chair")  # the demo login: username = the token in lower case
    done = await client.post("/console/login", data={"username": token.lower(), "password": token})
    client.cookies.set(COOKIE, done.cookies[COOKIE])
    page = await client.get(f"/console/nominations/{nid}")
    assert page.status_code == 200 and f"/console/nominations/{nid}/papers/proposal.pdf" in page.text
    assert "/papers/decision.pdf" not in page.text  # nothing conferred: no quyết định to print
    download = await client.get(f"/console/nominations/{nid}/papers/proposal.pdf")
    assert download.status_code == 200 and NAMES[0] in pdf_text(download.content)
