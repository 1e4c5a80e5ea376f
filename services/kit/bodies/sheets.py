"""The file an admin imports bodies from (docs/hierarchy.md, "Registering bodies"): a header row,
then one body per row, as CSV (UTF-8; comma, semicolon or tab) or XLSX (its first sheet).

Headers are matched without case, diacritics or punctuation, in Vietnamese or English: `Mã đơn vị`,
`ma_don_vi`, `MA DON VI (*)` and `code` name one column. Rows are numbered as a spreadsheet shows
them (the header is row 1); blank rows are left out.
"""

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook, load_workbook

from services.kit.errors import Invalid, TooLarge, UnsupportedType
from shared.hierarchy.bodies import Body, Problem, registration, tidy, vn_date
from shared.text import fold

MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000
PROGRESS_EVERY = 1_000

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
    """An import file with the Vietnamese headers and one example row, as `csv` (UTF-8 with a BOM, so
    that Excel opens it as UTF-8) or `xlsx` (the date as a date cell): the console's download and
    `tdkt agencies template` both write this one."""
    header = [names[0] for names in COLUMNS.values()]
    if suffix == "xlsx":
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(header)
        sheet.append([date(2025, 9, 1) if field == "valid_from" else EXAMPLE[field] for field in COLUMNS])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    if suffix == "csv":
        text = io.StringIO()
        csv.writer(text).writerows([header, [EXAMPLE[field] for field in COLUMNS]])
        return text.getvalue().encode("utf-8-sig")
    raise UnsupportedType(f"a template is a .csv or .xlsx file, not .{suffix} (mẫu là tệp .csv hoặc .xlsx)")


def header_key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


HEADERS = {header_key(name): field for field, names in COLUMNS.items() for name in names}


@dataclass(frozen=True)
class Sheet:
    format: str  # "csv" or "xlsx"
    fields: tuple[str, ...]  # the file's columns, in its order
    rows: list[tuple[int, dict[str, str]]]  # (row number, field -> text)


def read_sheet(filename: str, content: bytes, progress: Callable[[int], None] | None = None) -> Sheet:
    """The file's rows by field; a file that cannot be read as a whole raises, in both languages."""
    if len(content) > MAX_IMPORT_BYTES:
        raise TooLarge(
            f"the file has {len(content)} bytes; the limit is {MAX_IMPORT_BYTES}: split it "
            f"(tệp quá {MAX_IMPORT_BYTES // 2**20} MB, hãy chia nhỏ)"
        )
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix not in ("csv", "xlsx"):
        raise UnsupportedType(f"'{filename}' is neither .csv nor .xlsx (chỉ nhận tệp .csv hoặc .xlsx)")
    table = csv_rows(content) if suffix == "csv" else xlsx_rows(content)
    fields: tuple[str, ...] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in table:
        if not any(cells):
            continue
        if fields is None:
            fields = header_fields(cells)
            continue
        rows.append((number, {f: cells[i] if i < len(cells) else "" for i, f in enumerate(fields) if f}))
        if len(rows) > MAX_IMPORT_ROWS:
            raise TooLarge(
                f"the file has more than {MAX_IMPORT_ROWS} rows: split it "
                f"(tệp quá {MAX_IMPORT_ROWS} dòng, hãy chia nhỏ)"
            )
        if progress is not None and len(rows) % PROGRESS_EVERY == 0:
            progress(len(rows))
    if fields is None or not rows:
        raise Invalid("the file has no header row and body rows (tệp không có dòng tiêu đề và dòng dữ liệu)")
    return Sheet(suffix, fields, rows)


def header_fields(cells: list[str]) -> tuple[str, ...]:
    """The field of each column; unknown, repeated or missing required columns are refused."""
    fields = tuple(HEADERS.get(header_key(cell), "") if cell else "" for cell in cells)
    unknown = [cell for cell, field in zip(cells, fields, strict=True) if cell and not field]
    repeated = sorted({f for f in fields if f and fields.count(f) > 1})
    missing = [f for f in REQUIRED if f not in fields]
    problems = []
    if unknown:
        problems.append(f"unknown columns {unknown} (cột không xác định)")
    if repeated:
        problems.append(f"columns given twice: {repeated} (cột bị lặp)")
    if missing:
        problems.append(f"missing columns: {[COLUMNS[f][0] for f in missing]} (thiếu cột bắt buộc)")
    if problems:
        accepted = "; ".join(f"{field}: {', '.join(names)}" for field, names in COLUMNS.items())
        raise Invalid(f"the header row does not fit: {'; '.join(problems)}. Accepted headers: {accepted}")
    return fields


def csv_rows(content: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(
            "the CSV file is not UTF-8: save it as 'CSV UTF-8' (tệp CSV phải mã hóa UTF-8, chọn 'CSV UTF-8' khi lưu)"
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        yield number, [tidy(cell) for cell in cells]


def xlsx_rows(content: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as err:  # noqa: BLE001 - openpyxl raises many kinds for a file it cannot read
        raise Invalid(f"cannot read the XLSX file ({err}) (không đọc được tệp XLSX)") from None
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [cell_text(value) for value in values]
    finally:
        book.close()


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return tidy(str(value))


def parse_day(text: str) -> date | None:
    """`2025-09-01`, or as written in Vietnam: `01/09/2025` (also `1-9-2025`, `1.9.2025`)."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        found = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        return date(int(found[3]), int(found[2]), int(found[1])) if found else None
    except ValueError:
        return None


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
