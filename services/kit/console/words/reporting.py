"""The statistics page's filters, multi-year totals, small collectives and reporting forms
(TT 02/2023/TT-BNV, biểu 0601.N–0605.N; glossary: loại hình khen thưởng, tập thể nhỏ)."""

VI: dict[str, str] = {
    "report.filters": "Lọc số liệu",
    "report.from_year": "Từ năm",
    "report.to_year": "Đến năm",
    "report.subordinates": "Phạm vi",
    "report.with_subordinates": "Cơ quan và các đơn vị trực thuộc",
    "report.own_only": "Chỉ cơ quan (không gồm đơn vị trực thuộc)",
    "report.all": "Tất cả",
    "report.mode": "Loại hình khen thưởng",
    "report.kind": "Đối tượng",
    "report.form": "Biểu mẫu báo cáo",
    "report.downloads": "Tải về theo bộ lọc:",
    "report.csv": "Tải bảng CSV",
    "report.svg": "Tải biểu đồ (SVG)",
    "report.by_year": "Tổng hợp theo năm",
    "report.small": "Tập thể nhỏ được khen thưởng trong năm (trên số tập thể xác định được)",
    "report.form_heading": "Biểu",
    "report.unconfirmed": (
        "Dòng, cột của biểu theo cách phần mềm hiện có thể hiện, chưa đối chiếu với mẫu chính thức; "
        "chưa rõ mẫu thay thế sau khi hợp nhất bộ năm 2025, nên biểu có thể cấu hình. Ô “…” là số liệu "
        "hệ thống không lưu, cơ quan tự điền."
    ),
    "report.line": "Chỉ tiêu",
    "report.form_csv": "Tải biểu (CSV)",
    "report.form_xlsx": "Tải biểu (XLSX)",
    "report.small_note": (
        "Tập thể nhỏ: tổ, đội, phòng, khoa… do cơ quan đăng ký làm đối tượng khen thưởng, không phải một cơ "
        "quan, đơn vị trong danh mục; tập thể chỉ ghi tên không tính vào tỷ lệ."
    ),
}

EN: dict[str, str] = {
    "report.filters": "Filter the figures",
    "report.from_year": "From year",
    "report.to_year": "To year",
    "report.subordinates": "Scope",
    "report.with_subordinates": "The agency and the bodies under it",
    "report.own_only": "The agency only (without the bodies under it)",
    "report.all": "All",
    "report.mode": "Award mode",
    "report.kind": "Awardee",
    "report.form": "Reporting form",
    "report.downloads": "Download for these filters:",
    "report.csv": "Download the CSV",
    "report.svg": "Download the chart (SVG)",
    "report.by_year": "Totals by year",
    "report.small": "Small collectives awarded in the year (over the collectives whose nature is known)",
    "report.form_heading": "Form",
    "report.unconfirmed": (
        "The form's rows and columns follow existing software, not checked against the official template; "
        "whether it was replaced after the 2025 ministry merger is not known, so it is configurable. A cell "
        "“…” is a figure the system does not record, for the office to fill in."
    ),
    "report.line": "Line",
    "report.form_csv": "Download the form (CSV)",
    "report.form_xlsx": "Download the form (XLSX)",
    "report.small_note": (
        "Small collective: a team, division or faculty an agency registered as a nominee, not a body of the "
        "registry; a collective given by name only is left out of the share."
    ),
}
