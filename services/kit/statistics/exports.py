"""The report and the forms as a spreadsheet (openpyxl, with the chart as a native Excel chart: an
XLSX cannot hold an SVG, so the SVG is offered beside it) and as CSV (UTF-8 with a BOM, so that
Excel opens Vietnamese correctly). Every table is written once here and read by both."""

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet.worksheet import Worksheet

from services.kit.statistics.filters import KINDS, MODES
from services.kit.statistics.service import LEVELS

KIND_NAMES = {"individual": "Cá nhân", "collective": "Tập thể", "household": "Hộ gia đình"}
Table = list[list[Any]]


def percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def filters_line(report: dict[str, Any]) -> str:
    """The filters in words, written above every exported table."""
    f, names = report["filters"], report["award_names"]
    years = str(f["to_year"]) if f["from_year"] == f["to_year"] else f"{f['from_year']}–{f['to_year']}"
    parts = [
        f"Năm {years}",
        f"{f['agency_code']} " + ("và các đơn vị trực thuộc" if f["subordinates"] else "(chỉ cơ quan)"),
    ]
    if f["award"]:
        parts.append(f"hình thức: {names.get(f['award'], f['award'])}")
    if f["mode"]:
        parts.append(f"loại hình: {MODES[f['mode']]}")
    if f["kind"]:
        parts.append(f"đối tượng: {KINDS[f['kind']]}")
    return "; ".join(parts)


def rows_of(report: dict[str, Any]) -> Table:
    """The summary table: one line per figure, the year before, the year, the change."""
    now, before, change = report["this_year"], report["previous_year"], report["change"]
    lines: Table = [["Chỉ tiêu", before["year"], now["year"], "Thay đổi"]]
    lines.append(["Tổng số khen thưởng", before["total"], now["total"], now["total"] - before["total"]])
    # After a merger, the year before is the sum of the predecessors: each on its own line.
    parts = report.get("previous_year_by_predecessor", [])
    if len(parts) > 1 or any(p["agency_code"] != report["agency_code"] for p in parts):
        for part in parts:
            lines.append(
                [f"Trong đó năm {before['year']}: {part['name']} ({part['agency_code']})", part["total"], None, None]
            )
    for level, label in LEVELS.items():
        for kind, kind_label in KIND_NAMES.items():
            a, b = before["by_level"].get(level, {}).get(kind, 0), now["by_level"].get(level, {}).get(kind, 0)
            if a or b:
                lines.append([f"{label}: {kind_label}", a, b, b - a])
        a_share, b_share = before["direct_share"][level], now["direct_share"][level]
        if a_share is not None or b_share is not None:
            label_share = f"{label}: tỷ lệ người trực tiếp lao động, công tác (%)"
            lines.append([label_share, percent(a_share), percent(b_share), change["direct_share_points"][level]])
    if before["small_share"] is not None or now["small_share"] is not None:
        lines.append([
            "Tỷ lệ tập thể nhỏ trong các tập thể được khen thưởng (%)",
            percent(before["small_share"]), percent(now["small_share"]), change["small_share_points"],
        ])  # fmt: skip
    return lines


def years_of(report: dict[str, Any]) -> Table:
    """Totals year by year over the range, and their sum."""
    lines: Table = [["Năm", "Tổng số", *LEVELS.values(), "Tập thể nhỏ"]]
    for row in [*report["by_year"], {**report["period"], "year": "Cộng"}]:
        by_level = row["by_level"]
        lines.append([
            row["year"], row["total"], *(sum(by_level.get(level, {}).values()) for level in LEVELS),
            row["small_counts"][0],
        ])  # fmt: skip
    return lines


def awards_of(report: dict[str, Any]) -> Table:
    """Counts by form of award: the year before, the year, and the whole range."""
    before, now, period = (report[k]["by_award"] for k in ("previous_year", "this_year", "period"))
    p = report["period"]
    lines: Table = [
        ["Mã", "Hình thức khen thưởng", report["year"] - 1, report["year"], f"{p['from_year']}–{p['to_year']}"]
    ]
    for code in sorted(set(before) | set(now) | set(period)):
        lines.append(
            [code, report["award_names"].get(code, code), before.get(code, 0), now.get(code, 0), period.get(code, 0)]
        )
    return lines


def form_table(form: dict[str, Any]) -> Table:
    """A filled form as a table: the row's words, then its cells."""
    return [["Chỉ tiêu", *(c["vi"] for c in form["columns"])], *([r["vi"], *r["cells"]] for r in form["rows"])]


def form_title(form: dict[str, Any]) -> str:
    years = form["to_year"] if form["from_year"] == form["to_year"] else f"{form['from_year']}–{form['to_year']}"
    note = "" if form["confirmed"] else " (mẫu chưa được xác nhận, có thể cấu hình)"
    return f"Biểu {form['symbol']}: {form['vi']}. {form['agency_code']}, năm {years}{note}"


def write(sheet: Worksheet, title: str, table: Table) -> None:
    sheet.append([title])
    for line in table:
        sheet.append(line)


def chart_into(sheet: Worksheet, report: dict[str, Any]) -> None:
    """Awards by level, the year before beside the year, as a native chart over its own small table."""
    sheet.append(["Cấp", report["year"] - 1, report["year"]])
    for level, label in LEVELS.items():
        sheet.append(
            [label, *(sum(report[k]["by_level"].get(level, {}).values()) for k in ("previous_year", "this_year"))]
        )
    chart = BarChart()
    chart.title, chart.y_axis.title = "Số khen thưởng theo cấp", "Số khen thưởng"
    chart.add_data(Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=1 + len(LEVELS)), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=1 + len(LEVELS)))
    sheet.add_chart(chart, "E2")


def xlsx(report: dict[str, Any], forms: list[dict[str, Any]]) -> bytes:
    """The summary, the years, the forms of award, the chart and each reporting form, one sheet each."""
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "Tổng hợp"
    write(summary, f"Báo cáo khen thưởng năm {report['year']}: {filters_line(report)}", rows_of(report))
    write(book.create_sheet("Theo năm"), filters_line(report), years_of(report))
    write(book.create_sheet("Theo hình thức"), filters_line(report), awards_of(report))
    chart_into(book.create_sheet("Biểu đồ"), report)
    for form in forms:
        write(book.create_sheet(f"Biểu {form['code']}"), form_title(form), form_table(form))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def form_xlsx(form: dict[str, Any]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"Biểu {form['code']}"
    write(sheet, form_title(form), form_table(form))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_text(*sections: tuple[str, Table]) -> bytes:
    """Titled tables one after the other, a blank line between, in UTF-8 with a BOM."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for n, (title, table) in enumerate(sections):
        if n:
            writer.writerow([])
        writer.writerow([title])
        writer.writerows([["" if cell is None else cell for cell in line] for line in table])
    return out.getvalue().encode("utf-8-sig")


def report_csv(report: dict[str, Any]) -> bytes:
    line = filters_line(report)
    return csv_text(
        (f"Báo cáo khen thưởng năm {report['year']}: {line}", rows_of(report)),
        ("Theo năm", years_of(report)),
        ("Theo hình thức khen thưởng", awards_of(report)),
    )


def form_csv(form: dict[str, Any]) -> bytes:
    return csv_text((form_title(form), form_table(form)))
