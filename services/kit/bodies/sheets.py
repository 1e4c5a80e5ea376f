"""The file an admin imports bodies from (docs/hierarchy.md, "Registering bodies"): its columns, its
template and how a row becomes a registration. Reading the file is `services/kit/sheets.py`'s."""

from collections.abc import Callable
from datetime import date

from services.kit.sheets import (
    MAX_IMPORT_BYTES,
    PROGRESS_EVERY,
    Sheet,
    headers_of,
    parse_day,
    read_table,
    write_template,
)
from services.kit.sheets import header_fields as table_header_fields
from shared.hierarchy.bodies import Body, Problem, registration, vn_date

__all__ = [
    "MAX_IMPORT_BYTES",
    "PROGRESS_EVERY",
    "HEADERS",
    "body_of",
    "header_fields",
    "parse_day",
    "read_sheet",
    "template",
]

# field -> the header the template writes, then the other headers accepted.
COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("Mã đơn vị", "ma", "code"),
    "name": ("Tên đơn vị", "ten", "name"),
    "kind": ("Loại hình", "loai", "kind"),
    "parent_code": ("Mã cơ quan quản lý", "co quan quan ly", "ma cap tren", "parent code", "parent"),
    "tier": ("Cấp", "tier"),
    "location_code": ("Mã xã nơi đặt trụ sở", "ma xa", "location code", "location"),
    "valid_from": ("Ngày hiệu lực", "hieu luc tu ngay", "valid from"),
    "legal_basis": ("Căn cứ pháp lý", "quyet dinh thanh lap", "legal basis"),
}
REQUIRED = ("code", "name", "kind", "parent_code")
EXAMPLE = {
    "code": "U91-0101",
    "name": "Trường Trung học cơ sở Bình Sơn",
    "kind": "school",
    "parent_code": "C30823",
    "tier": "unit",
    "location_code": "C30823",
    "valid_from": "01/09/2025",
    "legal_basis": "Quyết định số 12/QĐ-UBND ngày 15/8/2025",
}


def template(suffix: str) -> bytes:
    """The bodies' import file with one example row: the console's download and `tdkt agencies
    template` both write this one."""
    example = [date(2025, 9, 1) if field == "valid_from" and suffix == "xlsx" else EXAMPLE[field] for field in COLUMNS]
    return write_template(COLUMNS, example, suffix)


HEADERS = headers_of(COLUMNS)


def read_sheet(filename: str, content: bytes, progress: Callable[[int], None] | None = None) -> Sheet:
    return read_table(filename, content, COLUMNS, REQUIRED, progress)


def header_fields(cells: list[str]) -> tuple[str, ...]:
    return table_header_fields(cells, COLUMNS, REQUIRED)


def body_of(fields: dict[str, str], today: date) -> tuple[Body | None, list[Problem]]:
    """A row as a registration; what the row lacks or says unreadably stops it before any check."""
    problems = [
        Problem(field, f"ô '{COLUMNS[field][0]}' bị để trống", f"the cell '{COLUMNS[field][0]}' ({field}) is empty")
        for field in REQUIRED
        if not fields.get(field)
    ]
    written = fields.get("valid_from", "")
    day = parse_day(written) if written else today
    if day is None:
        problems.append(
            Problem(
                "valid_from",
                f"ngày hiệu lực '{written}' không đọc được: ghi dd/mm/yyyy, ví dụ {vn_date(today)}",
                f"the date '{written}' cannot be read: write dd/mm/yyyy or yyyy-mm-dd, e.g. {today}",
            )
        )
    if problems or day is None:
        return None, problems
    return registration(
        code=fields["code"],
        name=fields["name"],
        kind=fields["kind"],
        tier=fields.get("tier") or "unit",
        parent_code=fields["parent_code"],
        valid_from=day,
        location_code=fields.get("location_code"),
        legal_basis=fields.get("legal_basis"),
    ), []
