"""Agencies outside the administrative tree, and demo grassroots units and officers.

The administrative tree (provinces, districts, communes) comes from the reference package; the
bodies below are not in it. Demo units sit in Kiên Giang (province code 91) before the 2025
reorganization. Their names are illustrative; codes are what the system keys on.
"""

from datetime import date

from shared.hierarchy.reference import REGISTRY_EPOCH

CENTRAL_BOARD, PRIME_MINISTER, PRESIDENT = "TW-BTDKT", "TW-TTG", "TW-CTN"
KIEN_GIANG = "P91"
HON_DAT = "D903"
BINH_SON = "C30823"


def _agency(code: str, name: str, tier: str, kind: str, parent: str | None, location: str | None = None) -> dict:
    return {
        "code": code,
        "name": name,
        "tier": tier,
        "kind": kind,
        "parent_code": parent,
        "valid_from": REGISTRY_EPOCH,
        "valid_to": None,
        "successors": [],
        "legal_basis": None,
        "location_code": location,
    }


NATIONAL_BODIES = [
    _agency(CENTRAL_BOARD, "Ban Thi đua - Khen thưởng Trung ương", "central", "central_body", None),
    _agency(PRIME_MINISTER, "Thủ tướng Chính phủ", "central", "central_body", None),
    _agency(PRESIDENT, "Chủ tịch nước", "central", "central_body", None),
    _agency("B-BNV", "Bộ Nội vụ", "province", "ministry", None),
    _agency("B-BGDDT", "Bộ Giáo dục và Đào tạo", "province", "ministry", None),
]

DEMO_UNITS = [
    # Located in Xã Bình Sơn: after 2025-07-01 it is managed by that commune (same code, C30823).
    _agency("U91-0001", "Trường Tiểu học Sóc Sơn (huyện Hòn Đất)", "unit", "school", HON_DAT, BINH_SON),
    _agency("U91-0002", "Sở Nội vụ tỉnh Kiên Giang", "unit", "department", KIEN_GIANG),
    # No location on record: a reorganization cannot tell which new commune manages it.
    _agency("U91-0003", "Công ty TNHH Thủy sản Hòn Đất (demo)", "unit", "enterprise", HON_DAT),
    _agency("U-BGDDT-0001", "Trường Đại học Sư phạm (trực thuộc Bộ GD&ĐT, demo)", "unit", "ministry_unit", "B-BGDDT"),
]

# (agency, role, officer name). Tokens are "demo-<agency>-<role>": development only.
DEMO_OFFICERS = [
    ("U91-0001", "clerk", "Nguyễn Thị Hoa"),
    ("U91-0001", "chair", "Trần Văn Minh"),
    ("U91-0001", "auditor", "Kiều Thị Ngân"),
    ("U91-0002", "clerk", "Lê Thị Mai"),
    ("U91-0002", "chair", "Phạm Văn Hùng"),
    ("U91-0003", "clerk", "Võ Thị Thu"),
    ("U91-0003", "chair", "Đặng Văn Phúc"),
    (BINH_SON, "clerk", "Huỳnh Thị Ngọc"),
    (BINH_SON, "chair", "Dương Văn Tài"),
    (HON_DAT, "clerk", "Ngô Thị Lan"),
    (HON_DAT, "chair", "Lý Văn Sơn"),
    (HON_DAT, "auditor", "Bùi Thị Hạnh"),
    ("D902", "chair", "Quách Văn Lợi"),  # Kiên Lương: a district off the demo routes
    (KIEN_GIANG, "clerk", "Trương Thị Kim"),
    (KIEN_GIANG, "council_member", "Phan Văn Đức"),
    (KIEN_GIANG, "chair", "Lâm Minh Chiến"),
    (KIEN_GIANG, "auditor", "Tạ Thị Yến"),
    (KIEN_GIANG, "admin", "Châu Văn Khang"),
    ("B-BNV", "chair", "Đoàn Thị Nga"),
    (CENTRAL_BOARD, "chair", "Hoàng Văn Bình"),
    (CENTRAL_BOARD, "admin", "Trịnh Văn Quản (quản trị hệ thống)"),
    (CENTRAL_BOARD, "auditor", "Mạc Thị Hương"),
    (PRIME_MINISTER, "chair", "Văn phòng Chính phủ (demo)"),
    (PRESIDENT, "chair", "Văn phòng Chủ tịch nước (demo)"),
]

SEED_DATE = date(2025, 5, 1)

# Where a Labour Order proposed by the demo school goes before 2025-07-01: the school, Hòn Đất
# district, Kiên Giang province, the Central Board, the Prime Minister (proposes), the President.
ORDER_ROUTE = [
    ("unit", "U91-0001"),
    ("district", HON_DAT),
    ("province", KIEN_GIANG),
    ("central", CENTRAL_BOARD),
    ("central", PRIME_MINISTER),
    ("central", PRESIDENT),
]


def demo_token(agency_code: str, role: str) -> str:
    return f"demo-{agency_code}-{role}"
