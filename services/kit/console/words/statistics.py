"""The statistics page (glossary: người trực tiếp công tác, lao động)."""

VI: dict[str, str] = {
    "nav.statistics": "Thống kê",
    "stats.title": "Thống kê khen thưởng",
    "stats.year": "Năm",
    "stats.agency": "Cơ quan (để trống: cơ quan của bạn)",
    "stats.show": "Xem",
    "stats.chart": "Số khen thưởng theo cấp, năm trước và năm báo cáo",
    "stats.by_award": "Theo hình thức khen thưởng",
    "stats.download": "Tải bảng tính (XLSX)",
    "stats.note": (
        "Tính các khen thưởng còn hiệu lực do các cơ quan, đơn vị thuộc cơ quan này đề nghị; đơn vị đã sáp nhập "
        "được tính vào cơ quan kế thừa. Tỷ lệ người trực tiếp lao động, công tác tính trên các cá nhân "
        "có ghi chức danh."
    ),
}

EN: dict[str, str] = {
    "nav.statistics": "Statistics",
    "stats.title": "Award statistics",
    "stats.year": "Year",
    "stats.agency": "Agency (empty: yours)",
    "stats.show": "Show",
    "stats.chart": "Awards by level, the year before and the year",
    "stats.by_award": "By form of award",
    "stats.download": "Download the spreadsheet (XLSX)",
    "stats.note": (
        "Counts the awards in force proposed by the agencies under this one; a merged unit counts under its "
        "successor. The direct-worker share is over the individuals whose position is recorded."
    ),
}
