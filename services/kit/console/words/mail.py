"""Officers' e-mail addresses on the officers page: notifications go there when the service sends e-mail."""

VI: dict[str, str] = {
    "officers.email": "E-mail nhận thông báo",
    "officers.email_optional": "E-mail nhận thông báo (không bắt buộc)",
    "officers.email_save": "Lưu e-mail",
    "officers.email_none": "chưa có",
}

EN: dict[str, str] = {
    "officers.email": "E-mail for notifications",
    "officers.email_optional": "E-mail for notifications (optional)",
    "officers.email_save": "Save e-mail",
    "officers.email_none": "none",
}
