"""The words of a decision's page: one quyết định, its awardees and its papers (glossary: quyết
định khen thưởng, tờ trình, tiền thưởng)."""

VI: dict[str, str] = {
    "decisions.title": "Quyết định khen thưởng",
    "decisions.number_short": "số",
    "decisions.number": "Số quyết định",
    "decisions.show": "Xem quyết định",
    "decisions.agency": "Cơ quan quyết định",
    "decisions.decided_on": "Ngày quyết định",
    "decisions.bonus_total": "Tổng tiền thưởng (đồng)",
    "decisions.awardees": "Danh sách được khen thưởng",
    "decisions.batch": "Theo tờ trình số",
    "decisions.bonus": "Tiền thưởng (đồng)",
    "decisions.paper.quyet_dinh.docx": "Quyết định khen thưởng (DOCX)",
    "decisions.paper.quyet_dinh.pdf": "Quyết định khen thưởng (PDF)",
    "decisions.paper.chung_nhan.pdf": "Bằng khen, giấy khen của mọi người, tập thể được khen (PDF)",
    "decisions.see": "Xem quyết định và danh sách được khen thưởng",
}

EN: dict[str, str] = {
    "decisions.title": "Conferral decision",
    "decisions.number_short": "no.",
    "decisions.number": "Decision number",
    "decisions.show": "Show the decision",
    "decisions.agency": "Decided by",
    "decisions.decided_on": "Decided on",
    "decisions.bonus_total": "Bonuses in total (đồng)",
    "decisions.awardees": "Awardees",
    "decisions.batch": "Proposed in tờ trình no.",
    "decisions.bonus": "Bonus (đồng)",
    "decisions.paper.quyet_dinh.docx": "Conferral decision, quyết định (DOCX)",
    "decisions.paper.quyet_dinh.pdf": "Conferral decision, quyết định (PDF)",
    "decisions.paper.chung_nhan.pdf": "Every awardee's certificate, bằng khen or giấy khen (PDF)",
    "decisions.see": "See the decision and its awardees",
}
