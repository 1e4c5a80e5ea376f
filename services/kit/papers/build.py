"""Writes the templates the offices' papers are rendered from (`templates/*.docx`), in the layout of
Decree 30/2020/NĐ-CP: the two-column heading (the issuing body and its number on the left; the
national name, motto, place and date on the right), the title, the body, the list of awardees as a
table, the recipients (Nơi nhận) and the signer's block. The .docx files are kept in the repository
as data; run `python -m services.kit.papers.build` after changing this layout.

Jinja tags are docxtpl's: `{{ … }}` in runs, `{%tr for … %}` for table rows."""

from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

HERE = Path(__file__).parent / "templates"
AWARDEE_COLUMNS = ["STT", "Họ tên / tên tập thể", "Đơn vị đề nghị", "Hình thức khen thưởng", "Tiền thưởng (đồng)"]
AWARDEE_CELLS = ["{{ a.n }}", "{{ a.name }}", "{{ a.proposer }}", "{{ a.award }}", "{{ a.bonus }}"]


def paragraph(
    doc: DocxDocument, text: str, *, bold: bool = False, centre: bool = False, size: int = 13, italic: bool = False
) -> Paragraph:
    p = doc.add_paragraph()
    run = p.add_run(text)
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    if centre:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return p


def heading(doc: DocxDocument) -> None:
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    left.width, right.width = Cm(6.5), Cm(9.5)
    for cell, lines in (
        (left, [("{{ body_upper }}", True), ("Số: {{ number }}", False)]),
        (right, [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True), ("Độc lập - Tự do - Hạnh phúc", True),
                 ("{{ place }}, ngày {{ day }} tháng {{ month }} năm {{ year }}", False)]),
    ):  # fmt: skip
        cell.paragraphs[0].text = ""
        for index, (text, bold) in enumerate(lines):
            p = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
            run = p.add_run(text)
            run.bold, run.font.size = bold, Pt(12 if bold else 13)
            run.italic = text.startswith("{{ place }}")
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER


def awardees(doc: DocxDocument) -> None:
    table = doc.add_table(rows=3, cols=len(AWARDEE_COLUMNS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, AWARDEE_COLUMNS, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    table.rows[1].cells[0].paragraphs[0].add_run("{%tr for a in awardees %}")
    for cell, text in zip(table.rows[2].cells, AWARDEE_CELLS, strict=True):
        cell.paragraphs[0].add_run(text)
    row = table.add_row()
    row.cells[0].paragraphs[0].add_run("{%tr endfor %}")


def ending(doc: DocxDocument, title: str) -> None:
    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.paragraphs[0].add_run("Nơi nhận:").bold = True
    left.add_paragraph("{{ recipients }}; lưu: VT.")
    for index, text in enumerate((title, "{{ signer_title }}", "", "", "{{ signer }}")):
        p = right.paragraphs[0] if index == 0 else right.add_paragraph()
        p.add_run(text).bold = True
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER


def decision() -> None:
    doc = Document()
    heading(doc)
    paragraph(doc, "QUYẾT ĐỊNH", bold=True, centre=True, size=14)
    paragraph(doc, "Về việc khen thưởng", bold=True, centre=True)
    paragraph(doc, "{{ authority_upper }}", bold=True, centre=True)
    paragraph(doc, "{{ basis }};", italic=True)
    paragraph(doc, "QUYẾT ĐỊNH:", bold=True, centre=True)
    paragraph(doc, "Điều 1. Khen thưởng {{ awardees|length }} tập thể, cá nhân có tên trong danh sách dưới đây "
                   "vì {{ reason }}. Tổng tiền thưởng: {{ bonus_total }} đồng.")  # fmt: skip
    awardees(doc)
    paragraph(doc, "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.")
    paragraph(doc, "Điều 3. Các cơ quan, đơn vị có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này.")
    ending(doc, "{{ signer_block }}")
    doc.save(str(HERE / "quyet_dinh.docx"))


def proposal() -> None:
    doc = Document()
    heading(doc)
    paragraph(doc, "TỜ TRÌNH", bold=True, centre=True, size=14)
    paragraph(doc, "{{ title }}", bold=True, centre=True)
    paragraph(doc, "Kính gửi: {{ addressee }}.", centre=True)
    paragraph(doc, "{{ body_name }} đề nghị xét khen thưởng {{ awardees|length }} tập thể, cá nhân sau:")
    awardees(doc)
    paragraph(
        doc, "Hồ sơ kèm theo gồm báo cáo thành tích của từng đối tượng và biên bản họp Hội đồng Thi đua - Khen thưởng."
    )
    ending(doc, "{{ signer_block }}")
    doc.save(str(HERE / "to_trinh.docx"))


if __name__ == "__main__":
    decision()
    proposal()
    print(f"wrote {HERE / 'quyet_dinh.docx'} and {HERE / 'to_trinh.docx'}")
