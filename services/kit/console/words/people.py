"""What statistics need about people (glossary: người trực tiếp công tác, lao động): the fields on the
new-nomination form and on the agency's nominees page."""

VI: dict[str, str] = {
    "nav.nominees": "Đối tượng",
    "people.legend": "Cá nhân: thông tin phục vụ thống kê (không bắt buộc)",
    "people.position": "Chức danh, đối tượng",
    "people.sex": "Giới tính",
    "people.ethnicity": "Dân tộc",
    "people.from_registration": "Để trống: lấy theo thông tin đã đăng ký của đối tượng (nếu có).",
    "people.title": "Đối tượng do đơn vị quản lý",
    "people.none": "Đơn vị chưa đăng ký đối tượng nào.",
    "people.id": "Mã định danh",
    "people.id_hint": "Cá nhân: CCCD:số căn cước; tập thể ngoài danh mục cơ quan: TAPTHE:mã đơn vị:tên tổ",
    "people.name": "Họ tên / tên tập thể",
    "people.kind": "Loại đối tượng",
    "people.register": "Đăng ký hoặc cập nhật đối tượng",
    "people.register_hint": (
        "Đăng ký lại một mã đã có để cập nhật chức danh, giới tính, dân tộc; trường để trống được giữ nguyên."
    ),
    "people.save": "Lưu",
    "people.saved": "Đã lưu đối tượng.",
    "people.search": "Tìm theo tên hoặc mã",
    "people.find": "Tìm",
}

EN: dict[str, str] = {
    "nav.nominees": "Nominees",
    "people.legend": "An individual: what statistics record (optional)",
    "people.position": "Position category",
    "people.sex": "Sex",
    "people.ethnicity": "Ethnic group",
    "people.from_registration": "Left empty: taken from the nominee's registration, where it has them.",
    "people.title": "Nominees the agency manages",
    "people.none": "The agency has registered no nominee yet.",
    "people.id": "Id",
    "people.id_hint": "A person: CCCD:citizen id number; a collective outside the registry: TAPTHE:agency code:team",
    "people.name": "Name",
    "people.kind": "Kind",
    "people.register": "Register or update a nominee",
    "people.register_hint": (
        "Register an existing id again to change its position category, sex and ethnic group; an empty field is kept."
    ),
    "people.save": "Save",
    "people.saved": "The nominee is saved.",
    "people.search": "Search by name or id",
    "people.find": "Find",
}
