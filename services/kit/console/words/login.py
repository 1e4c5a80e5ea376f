"""The login page's words for the one address (`username@AGENCY`) and the identity provider (OIDC)."""

VI: dict[str, str] = {
    "login.where": "Đăng nhập ở bất kỳ dịch vụ nào: nhập tên đăng nhập kèm mã cơ quan, ví dụ hoa@U91-0001, "
    "hệ thống sẽ chuyển bạn đến dịch vụ quản lý cơ quan của bạn.",
    "oidc.with": "Đăng nhập bằng",
    "oidc.done": "Đã đăng nhập",
    "oidc.continue": "Tiếp tục",
}

EN: dict[str, str] = {
    "login.where": "Log in at any service: write your username with your agency's code, e.g. hoa@U91-0001, "
    "and you are sent to the service that hosts your agency.",
    "oidc.with": "Log in with",
    "oidc.done": "Logged in",
    "oidc.continue": "Continue",
}
