"""A dry run's report as CSV and HTML: readable tables, one row per unit or nomination, no raw data
structures, and counts that are what the tables list."""

import csv
import io
from html import escape
from typing import Any

MOVED = ["code", "old_parent", "new_parent", "rule"]
AMBIGUOUS = ["code", "candidates", "interim_parent", "reason"]
NOMINATIONS = ["nomination_id", "outcome", "from_agency", "to_agency", "rule", "detail"]


def plain(item: Any) -> Any:
    if hasattr(item, "__dataclass_fields__"):
        return {k: plain(v) for k, v in item.__dict__.items()}
    if hasattr(item, "model_dump"):
        return item.model_dump(mode="json")
    if isinstance(item, (list, tuple)):
        return [plain(i) for i in item]
    return item


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def as_csv(report: dict[str, Any]) -> str:
    """One table: a row per moved unit, ambiguous unit and nomination, each field in its column."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "code", "from", "to", "rule", "candidates", "detail"])
    for moved in report["moved_units"]:
        writer.writerow(
            ["moved_unit", moved["code"], cell(moved["old_parent"]), moved["new_parent"], moved["rule"], "", ""]
        )
    for amb in report["ambiguous"]:
        writer.writerow(
            ["ambiguous", amb["code"], "", cell(amb["interim_parent"]), "", cell(amb["candidates"]), amb["reason"]]
        )
    for row in report["nominations"]:
        writer.writerow(
            [
                "nomination",
                row["nomination_id"],
                row["from_agency"],
                cell(row["to_agency"]),
                cell(row["rule"]),
                "",
                f"{row['outcome']}{': ' + row['detail'] if row.get('detail') else ''}",
            ]
        )
    return out.getvalue()


def table(headers: list[str], keys: list[str], rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "<p>(không có)</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(cell(r.get(k)))}</td>" for k in keys) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def as_html(report: dict[str, Any]) -> str:
    nominations, here = report["nominations"], report["nominations_in_flight_here"]
    return (
        "<!doctype html><html lang='vi'><meta charset='utf-8'>"
        f"<title>Dự kiến sắp xếp {escape(report['plan'])}</title>"
        "<style>table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px;text-align:left}</style>"
        f"<h1>Kế hoạch {escape(report['plan'])} (hiệu lực {escape(str(report['effective']))})</h1>"
        f"<p>{report['operations']} thao tác; đóng {report['closed']} phiên bản, mở {report['opened']}; "
        f"{len(report['moved_units'])} đơn vị cơ sở chuyển nơi quản lý; {len(report['ambiguous'])} trường hợp cần "
        f"người quyết định; {len(nominations)} hồ sơ đang xử lý trong hệ thống ({len(here)} tại dịch vụ này).</p>"
        f"<h2>Đơn vị cơ sở chuyển nơi quản lý ({len(report['moved_units'])})</h2>"
        + table(["Mã", "Thuộc (cũ)", "Thuộc (mới)", "Quy tắc"], MOVED, report["moved_units"])
        + f"<h2>Hồ sơ đang xử lý sẽ chuyển đến ({len(nominations)})</h2>"
        + table(["Hồ sơ", "Kết quả", "Từ", "Đến", "Quy tắc", "Ghi chú"], NOMINATIONS, nominations)
        + f"<h2>Trường hợp cần người quyết định ({len(report['ambiguous'])})</h2>"
        + table(["Mã", "Có thể thuộc", "Tạm thuộc", "Lý do"], AMBIGUOUS, report["ambiguous"])
        + "</html>"
    )
