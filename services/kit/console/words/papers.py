"""The words of a nomination's papers on its console page (decision 0024)."""

VI: dict[str, str] = {
    "papers.title": "Văn bản",
    "papers.decision.docx": "Quyết định khen thưởng (DOCX)",
    "papers.decision.pdf": "Quyết định khen thưởng (PDF)",
    "papers.certificate.pdf": "Bằng khen, giấy khen (PDF)",
    "papers.proposal.docx": "Tờ trình đề nghị khen thưởng (DOCX)",
    "papers.proposal.pdf": "Tờ trình đề nghị khen thưởng (PDF)",
    "papers.note": "In, ghi số (tờ trình), ký và đóng dấu theo Nghị định 30/2020/NĐ-CP.",
}

EN: dict[str, str] = {
    "papers.title": "Papers",
    "papers.decision.docx": "Conferral decision, quyết định (DOCX)",
    "papers.decision.pdf": "Conferral decision, quyết định (PDF)",
    "papers.certificate.pdf": "Certificate, bằng khen or giấy khen (PDF)",
    "papers.proposal.docx": "Proposal, tờ trình (DOCX)",
    "papers.proposal.pdf": "Proposal, tờ trình (PDF)",
    "papers.note": "Print, number (a tờ trình), sign and seal as Decree 30/2020/NĐ-CP sets out.",
}
