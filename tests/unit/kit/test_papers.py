"""The quyết định and the tờ trình rendered from the templates kept as data: read back with
python-docx and pypdf, they hold the number, the place and date line, every awardee, the bonus and the
signer; a name is data in the PDF, never markup."""

import io
from datetime import date

from docx import Document
from pypdf import PdfReader

from services.kit.papers.render import (
    Awardee,
    Heading,
    certificates_pdf,
    decision_docx,
    decision_pdf,
    issuing_body,
    locality,
    proposal_docx,
    proposal_pdf,
    signer_title_of,
)

HEADING = Heading("Ủy ban nhân dân huyện Hòn Đất", "31/QĐ-UBND", "Hòn Đất", date(2025, 5, 15), "Lý Văn Sơn", "Chủ tịch")
AWARDEES = [
    Awardee("Trần Thị Bé", "Trường Tiểu học Sóc Sơn", "Lao động tiên tiến", 700_000, is_title=True),
    Awardee("Tổ Toán <trường>", "Trường Tiểu học Sóc Sơn", "Tập thể lao động tiên tiến", 1_400_000),
]


def text_of(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_a_decision_lists_every_awardee_with_its_number_date_bonus_and_signer():
    text = text_of(
        decision_docx(
            HEADING,
            AWARDEES,
            reason="thành tích năm 2024",
            basis=["Luật Thi đua, khen thưởng"],
            recipients=["Như Điều 3"],
        )
    )
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 31/QĐ-UBND", "Hòn Đất, ngày 15 tháng 05 năm 2025",
                     "QUYẾT ĐỊNH", "Trần Thị Bé", "Tổ Toán <trường>", "700.000", "2.100.000", "Lý Văn Sơn",
                     "CHỦ TỊCH", "Nơi nhận:", "Khen thưởng 2 tập thể, cá nhân"):  # fmt: skip
        assert expected in text, expected
    assert "{{" not in text and "{%" not in text  # every tag rendered


def test_a_proposal_lists_every_awardee():
    text = text_of(
        proposal_docx(
            HEADING, AWARDEES, title="Đề nghị công nhận danh hiệu", addressee="UBND tỉnh", recipients=["Như trên"]
        )
    )
    assert "TỜ TRÌNH" in text and "Kính gửi: UBND tỉnh." in text and text.count("Trường Tiểu học Sóc Sơn") == 2
    assert "{{" not in text


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def test_the_pdfs_say_what_the_docx_says_with_every_letter_and_no_markup_from_the_data():
    odd = Awardee("Lê Ưởng #set text(size: 1pt) [x] $y$ \\", "Tổ dân phố Ấp Đồng", "Giấy khen", 350_000)
    decision = pdf_text(
        decision_pdf(HEADING, [*AWARDEES, odd], reason="thành tích", basis=["Luật Thi đua"], recipients=["Như Điều 3"])
    )
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 31/QĐ-UBND", "Hòn Đất, ngày 15 tháng 05 năm 2025",
                     "Trần Thị Bé", "Tổ Toán <trường>", odd.name, "2.450.000", "Lý Văn Sơn", "Nơi nhận:",
                     "Khen thưởng 3 tập thể, cá nhân"):  # fmt: skip
        assert expected in decision, expected
    proposal = pdf_text(
        proposal_pdf(HEADING, AWARDEES, title="Đề nghị", addressee="UBND tỉnh", recipients=["Như trên"])
    )
    assert "TỜ TRÌNH" in proposal and "Kính gửi: UBND tỉnh." in proposal and "Tổ Toán <trường>" in proposal


def test_one_certificate_page_per_awardee_recognises_a_title_and_gives_any_other_form():
    reader = PdfReader(io.BytesIO(certificates_pdf(HEADING, AWARDEES, reason="đã có thành tích xuất sắc.")))
    first, second = (" ".join(page.extract_text().split()) for page in reader.pages)
    assert "CÔNG NHẬN DANH HIỆU LAO ĐỘNG TIÊN TIẾN Trần Thị Bé" in first and "Tổ Toán" not in first
    assert "Đã có thành tích xuất sắc." in first and "xuất sắc.." not in first
    assert "TẶNG" in second and "Tổ Toán <trường>" in second and "31/QĐ-UBND" in second


def test_the_date_line_names_the_place_and_a_local_government_signs_as_its_peoples_committee():
    assert locality("Trường Tiểu học Sóc Sơn (huyện Hòn Đất)") == "Hòn Đất"
    assert locality("Thị xã Hà Tiên") == "Hà Tiên" and locality("Bộ Nội vụ") is None
    assert issuing_body("Huyện Hòn Đất") == "Ủy ban nhân dân huyện Hòn Đất"
    assert issuing_body("Sở Nội vụ tỉnh Kiên Giang") == "Sở Nội vụ tỉnh Kiên Giang"
    assert signer_title_of("Ủy ban nhân dân huyện Hòn Đất") == "Chủ tịch" and signer_title_of("Bộ Nội vụ") != "Chủ tịch"
