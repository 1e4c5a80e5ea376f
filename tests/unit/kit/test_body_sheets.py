"""The import file of grassroots bodies: Vietnamese or English headers, CSV or XLSX, rows numbered as
a spreadsheet shows them, and what cannot be read said in both languages (docs/hierarchy.md)."""

import codecs
import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from services.kit.bodies.sheets import (
    COLUMNS,
    HEADERS,
    MAX_IMPORT_BYTES,
    PROGRESS_EVERY,
    body_of,
    header_fields,
    parse_day,
    read_sheet,
)
from services.kit.errors import Invalid, TooLarge, UnsupportedType

TODAY = date(2025, 8, 1)


def test_every_accepted_header_names_one_field():
    assert len(HEADERS) == sum(len(names) for names in COLUMNS.values())


def test_headers_match_without_case_diacritics_or_punctuation():
    fields = header_fields(["MÃ ĐƠN VỊ (*)", "ten_don_vi", "Kind", "Mã cơ quan quản lý", "", "ngay hieu luc"])
    assert fields == ("code", "name", "kind", "parent_code", "", "valid_from")


def test_a_header_that_does_not_fit_names_what_is_wrong():
    with pytest.raises(Invalid) as refused:
        header_fields(["Mã đơn vị", "Tên", "Ghi chú", "Tên đơn vị"])
    message = str(refused.value)
    assert "unknown columns ['Ghi chú']" in message
    assert "columns given twice: ['name']" in message
    assert "missing columns: ['Loại hình', 'Mã cơ quan quản lý']" in message
    assert "thiếu cột bắt buộc" in message


def test_csv_with_a_bom_and_semicolons_keeps_spreadsheet_row_numbers_and_skips_blank_rows():
    text = "Mã đơn vị;Tên đơn vị;Loại hình;Mã cơ quan quản lý\nU91-1;Trường A;school;C30823\n;;;\n"
    text += "U91-2;Trường B;school;C30823\n"
    sheet = read_sheet("don_vi.csv", codecs.BOM_UTF8 + text.encode())
    assert sheet.format == "csv"
    assert [(n, f["code"]) for n, f in sheet.rows] == [(2, "U91-1"), (4, "U91-2")]


def test_a_csv_file_not_in_utf8_is_refused_with_what_to_do():
    with pytest.raises(Invalid, match="save it as 'CSV UTF-8'"):
        read_sheet("don_vi.csv", "Tên đơn,Cơ quan\n".encode("cp1258"))


def test_xlsx_cells_are_read_as_text_dates_included():
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["code", "name", "kind", "parent_code", "valid_from", "location_code"])
    sheet.append(["U91-1", "Trường A", "school", "C30823", datetime(2025, 9, 1), None])
    sheet.cell(row=4, column=1, value="U91-2")
    sheet.cell(row=4, column=2, value=2025.0)
    content = io.BytesIO()
    book.save(content)
    read = read_sheet("DON_VI.XLSX", content.getvalue())
    assert read.rows == [
        (
            2,
            {
                "code": "U91-1",
                "name": "Trường A",
                "kind": "school",
                "parent_code": "C30823",
                "valid_from": "2025-09-01",
                "location_code": "",
            },
        ),
        (4, {"code": "U91-2", "name": "2025", "kind": "", "parent_code": "", "valid_from": "", "location_code": ""}),
    ]


def test_files_that_cannot_be_imported_as_a_whole_are_refused():
    with pytest.raises(UnsupportedType, match="neither .csv nor .xlsx"):
        read_sheet("don_vi.xls", b"x")
    with pytest.raises(TooLarge):
        read_sheet("don_vi.csv", b"x" * (MAX_IMPORT_BYTES + 1))
    with pytest.raises(Invalid, match="cannot read the XLSX file"):
        read_sheet("don_vi.xlsx", b"not a zip")
    with pytest.raises(Invalid, match="no header row and body rows"):
        read_sheet("don_vi.csv", "Mã đơn vị,Tên đơn vị,Loại hình,Mã cơ quan quản lý\n".encode())


def test_progress_is_told_every_so_many_rows():
    header = "code,name,kind,parent_code\n"
    content = (header + "U91-1,Trường A,school,C30823\n" * (2 * PROGRESS_EVERY + 5)).encode()
    told: list[int] = []
    read_sheet("don_vi.csv", content, progress=told.append)
    assert told == [PROGRESS_EVERY, 2 * PROGRESS_EVERY]


@pytest.mark.parametrize(
    ("text", "day"),
    [("2025-09-01", date(2025, 9, 1)), ("01/09/2025", date(2025, 9, 1)), ("1.9.2025", date(2025, 9, 1))],
)
def test_dates_as_written_in_vietnam_or_iso(text, day):
    assert parse_day(text) == day


@pytest.mark.parametrize("text", ["32/13/2025", "2025/09/01", "mùng 1 tháng 9", "2025-9-1"])
def test_dates_that_cannot_be_read(text):
    assert parse_day(text) is None


def test_a_row_becomes_a_registration_or_says_what_it_lacks():
    body, problems = body_of(
        {"code": "u91-1", "name": "Trường A", "kind": "Trường học", "parent_code": "c30823"}, TODAY
    )
    assert problems == [] and body is not None
    assert (body.code, body.kind, body.tier, body.parent_code, body.valid_from) == (
        "U91-1",
        "school",
        "unit",
        "C30823",
        TODAY,
    )
    nothing, problems = body_of({"code": "U91-1", "name": "", "kind": "school", "parent_code": ""}, TODAY)
    assert nothing is None
    assert [(p.field, p.en) for p in problems] == [
        ("name", "the cell 'Tên đơn vị' (name) is empty"),
        ("parent_code", "the cell 'Mã cơ quan quản lý' (parent_code) is empty"),
    ]
