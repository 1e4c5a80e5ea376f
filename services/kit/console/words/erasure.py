"""Erasing a nominee's personal data on the nominees page (Nghị định 13/2023/NĐ-CP: xóa dữ liệu cá nhân)."""

VI: dict[str, str] = {
    "erasure.open": "Xóa dữ liệu cá nhân",
    "erasure.hint": (
        "Xóa giới tính, dân tộc của đối tượng ở mọi cấp, kể cả trong nhật ký kiểm toán (nhật ký vẫn kiểm chứng được). "
        "Họ tên, mã định danh và chức danh được giữ (quyết định khen thưởng là văn bản công khai). Không thể khôi phục."
    ),
    "erasure.basis": "Căn cứ xóa",
    "erasure.basis.subject_request": "Chủ thể dữ liệu yêu cầu xóa",
    "erasure.basis.consent_withdrawn": "Chủ thể dữ liệu rút lại sự đồng ý",
    "erasure.basis.purpose_fulfilled": "Đã hết mục đích xử lý",
    "erasure.basis.authority_order": "Yêu cầu của cơ quan có thẩm quyền",
    "erasure.reason": "Văn bản đề nghị (số, ngày)",
    "erasure.reason_hint": (
        "Ghi vào nhật ký kiểm toán và không bao giờ bị xóa: chỉ ghi số văn bản, không ghi dữ liệu cá nhân."
    ),
    "erasure.confirm": "Tôi xác nhận xóa dữ liệu cá nhân của đối tượng này; việc xóa không thể khôi phục.",
    "erasure.submit": "Xóa",
    "erasure.done": (
        "Đã xóa dữ liệu cá nhân của đối tượng; các dịch vụ khác xóa bản sao của mình khi nhận được sự kiện."
    ),
    "erasure.nothing": "Không còn dữ liệu cá nhân nào để xóa; không có gì thay đổi.",
    "erasure.erased_on": "Đã xóa dữ liệu cá nhân ngày",
    "erasure.unconfirmed": "Hãy đánh dấu ô xác nhận trước khi xóa.",
}

EN: dict[str, str] = {
    "erasure.open": "Erase personal data",
    "erasure.hint": (
        "Erases the nominee's sex and ethnic group at every level, in the audit log too (the log still verifies). "
        "The name, id and position category stay (an award decision is a public record). This cannot be undone."
    ),
    "erasure.basis": "Legal basis",
    "erasure.basis.subject_request": "The data subject asked for erasure",
    "erasure.basis.consent_withdrawn": "The data subject withdrew consent",
    "erasure.basis.purpose_fulfilled": "The purpose of processing is fulfilled",
    "erasure.basis.authority_order": "A competent authority ordered it",
    "erasure.reason": "The request (number, date)",
    "erasure.reason_hint": "It enters the audit log and is never erased: name the request, never the personal data.",
    "erasure.confirm": "I confirm erasing this nominee's personal data; it cannot be undone.",
    "erasure.submit": "Erase",
    "erasure.done": "The nominee's personal data is erased here; the other services erase their copies on the event.",
    "erasure.nothing": "No personal data was left to erase; nothing changed.",
    "erasure.erased_on": "Personal data erased on",
    "erasure.unconfirmed": "Tick the confirmation before erasing.",
}
