"""Reading and writing the tables officers import (a header row, then one item per row) as CSV
(UTF-8; comma, semicolon or tab) or XLSX (its first sheet): bodies under the hierarchy, candidates
for the base titles. Each import names its columns; this module reads any of them.

Headers are matched without case, diacritics or punctuation, in Vietnamese or English: `Mã đơn vị`,
`ma_don_vi`, `MA DON VI (*)` and `code` name one column. Rows are numbered as a spreadsheet shows
them (the header is row 1); blank rows are left out.
"""

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook, load_workbook

from services.kit.errors import Invalid, TooLarge, UnsupportedType
from shared.hierarchy.bodies import tidy
from shared.text import fold

MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000
PROGRESS_EVERY = 1_000

# field -> the header a template writes, then the other headers accepted.
Columns = dict[str, tuple[str, ...]]


def header_key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


def headers_of(columns: Columns) -> dict[str, str]:
    return {header_key(name): field for field, names in columns.items() for name in names}


@dataclass(frozen=True)
class Sheet:
    format: str  # "csv" or "xlsx"
    fields: tuple[str, ...]  # the file's columns, in its order
    rows: list[tuple[int, dict[str, str]]]  # (row number, field -> text)


def read_table(
    filename: str,
    content: bytes,
    columns: Columns,
    required: tuple[str, ...],
    progress: Callable[[int], None] | None = None,
) -> Sheet:
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
            fields = header_fields(cells, columns, required)
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


def header_fields(cells: list[str], columns: Columns, required: tuple[str, ...]) -> tuple[str, ...]:
    """The field of each column; unknown, repeated or missing required columns are refused."""
    headers = headers_of(columns)
    fields = tuple(headers.get(header_key(cell), "") if cell else "" for cell in cells)
    unknown = [cell for cell, field in zip(cells, fields, strict=True) if cell and not field]
    repeated = sorted({f for f in fields if f and fields.count(f) > 1})
    missing = [f for f in required if f not in fields]
    problems = []
    if unknown:
        problems.append(f"unknown columns {unknown} (cột không xác định)")
    if repeated:
        problems.append(f"columns given twice: {repeated} (cột bị lặp)")
    if missing:
        problems.append(f"missing columns: {[columns[f][0] for f in missing]} (thiếu cột bắt buộc)")
    if problems:
        accepted = "; ".join(f"{field}: {', '.join(names)}" for field, names in columns.items())
        raise Invalid(f"the header row does not fit: {'; '.join(problems)}. Accepted headers: {accepted}")
    return fields


def write_template(columns: Columns, example: Sequence[object], suffix: str) -> bytes:
    """An import file with the Vietnamese headers and one example row, as `csv` (UTF-8 with a BOM, so
    that Excel opens it as UTF-8) or `xlsx`."""
    header = [names[0] for names in columns.values()]
    if suffix == "xlsx":
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(header)
        sheet.append(list(example))
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    if suffix == "csv":
        text = io.StringIO()
        csv.writer(text).writerows([header, [str(v) for v in example]])
        return text.getvalue().encode("utf-8-sig")
    raise UnsupportedType(f"a template is a .csv or .xlsx file, not .{suffix} (mẫu là tệp .csv hoặc .xlsx)")


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
