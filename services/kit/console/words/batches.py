"""The proposer's tờ trình for many nominees (glossary: tờ trình, danh hiệu cơ sở)."""

VI: dict[str, str] = {
    "nav.batches": "Tờ trình",
    "batches.title": "Tờ trình đề nghị nhiều đối tượng",
    "batches.lead": (
        "Một tờ trình đề nghị nhiều cá nhân, tập thể: mỗi đối tượng là một hồ sơ với kết"
        " quả riêng, được trình cùng nhau."
    ),
    "batches.none": "Chưa có tờ trình nào.",
    "batches.new": "Lập tờ trình",
    "batches.one": "Tờ trình",
    "batches.number": "Số tờ trình",
    "batches.title_col": "Trích yếu",
    "batches.draft": "đang soạn",
    "batches.submitted": "đã trình",
    "batches.awardees": "Đối tượng đề nghị",
    "batches.decision": "Số quyết định",
    "batches.import": "Nhập danh sách từ tệp",
    "batches.columns": (
        "Cột: Họ tên / tên tập thể, Cá nhân hay tập thể, Danh hiệu đề nghị (LĐTT,"
        " CSTĐCS, TTLĐTT), Thành tích, Năm, Mã định danh."
    ),
    "batches.file": "Tệp",
    "batches.dry_run": "Chỉ kiểm tra, chưa nhập",
    "batches.add": "Đưa hồ sơ dự thảo vào tờ trình",
    "batches.drafts": "Hồ sơ dự thảo chưa thuộc tờ trình nào",
    "batches.attach": "Đính kèm một tài liệu cho mọi hồ sơ",
    "batches.kind": "Loại tài liệu",
    "batches.submit": "Trình tờ trình (tất cả hoặc không hồ sơ nào)",
    "batches.report": "Kết quả kiểm tra",
    "batches.rows": "dòng",
    "batches.row": "Dòng",
    "batches.field": "Cột",
    "batches.problem": "Vấn đề",
    "batches.created": "hồ sơ đã tạo",
    "batches.started": "hồ sơ đã trình",
    "batches.done.add": "Đã đưa hồ sơ vào tờ trình.",
    "batches.done.import": "Đã kiểm tra tệp.",
    "batches.done.attach": "Đã đính kèm tài liệu cho mọi hồ sơ.",
    "batches.done.submit": "Đã trình tờ trình.",
    "batches.paper": "Tải tờ trình (DOCX)",
    "batches.paper_pdf": "Tải tờ trình (PDF)",
}

EN: dict[str, str] = {
    "nav.batches": "Proposals",
    "batches.title": "Proposals for many nominees",
    "batches.lead": (
        "One tờ trình proposes many people and collectives: each is a nomination with"
        " its own outcome, submitted together."
    ),
    "batches.none": "No proposal yet.",
    "batches.new": "Start a proposal",
    "batches.one": "Proposal",
    "batches.number": "Number",
    "batches.title_col": "Title",
    "batches.draft": "being drafted",
    "batches.submitted": "submitted",
    "batches.awardees": "Nominees",
    "batches.decision": "Decision number",
    "batches.import": "Import the list from a file",
    "batches.columns": (
        "Columns: name, individual or collective, title (LĐTT, CSTĐCS, TTLĐTT), achievement, year, identifier."
    ),
    "batches.file": "File",
    "batches.dry_run": "Only check, import nothing",
    "batches.add": "Put drafts in the proposal",
    "batches.drafts": "Drafts in no proposal",
    "batches.attach": "Attach one document to every draft",
    "batches.kind": "Kind of document",
    "batches.submit": "Submit the proposal (all or none)",
    "batches.report": "Check report",
    "batches.rows": "rows",
    "batches.row": "Row",
    "batches.field": "Column",
    "batches.problem": "Problem",
    "batches.created": "drafts created",
    "batches.started": "nominations submitted",
    "batches.done.add": "The drafts are in the proposal.",
    "batches.done.import": "The file is checked.",
    "batches.done.attach": "The document is attached to every draft.",
    "batches.done.submit": "The proposal is submitted.",
    "batches.paper": "Download the tờ trình (DOCX)",
    "batches.paper_pdf": "Download the tờ trình (PDF)",
}
