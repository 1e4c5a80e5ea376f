"""The quyết định and the tờ trình rendered from the templates kept as data: read back with
python-docx, they hold the number, the place and date line, every awardee, the bonus and the signer."""

import io
from datetime import date

from docx import Document

from services.kit.papers.render import Awardee, Heading, decision_docx, proposal_docx

HEADING = Heading("Ủy ban nhân dân huyện Hòn Đất", "31/QĐ-UBND", "Hòn Đất", date(2025, 5, 15), "Lý Văn Sơn", "Chủ tịch")
AWARDEES = [
    Awardee("Trần Thị Bé", "Trường Tiểu học Sóc Sơn", "Lao động tiên tiến", 700_000),
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
