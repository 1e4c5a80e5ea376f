"""A dry run's or an application's report as CSV and HTML."""

import csv
import io
from typing import Any


def plain(item: Any) -> Any:
    if hasattr(item, "__dataclass_fields__"):
        return {k: plain(v) for k, v in item.__dict__.items()}
    if hasattr(item, "model_dump"):
        return item.model_dump(mode="json")
    if isinstance(item, (list, tuple)):
        return [plain(i) for i in item]
    return item


def as_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "code", "detail"])
    for moved in report["moved_units"]:
        writer.writerow(["moved_unit", moved.get("code") or moved.get("unit"), moved])
    for amb in report["ambiguous"]:
        writer.writerow(["ambiguous", amb.get("code") or amb.get("unit"), amb])
    for row in report["nominations"]:
        writer.writerow(
            [
                "nomination",
                row["nomination_id"],
                f"{row['outcome']}: {row['from_agency']} -> {row['to_agency']} ({row['rule']})",
            ]
        )
    return out.getvalue()


def as_html(report: dict[str, Any]) -> str:
    from html import escape

    rows = "".join(f"<tr><td>{escape(str(a))}</td></tr>" for a in report["ambiguous"])
    nominations = "".join(
        f"<tr><td>{escape(r['nomination_id'])}</td><td>{escape(r['outcome'])}</td><td>{escape(r['from_agency'])}</td>"
        f"<td>{escape(str(r['to_agency']))}</td><td>{escape(str(r['rule']))}</td></tr>"
        for r in report["nominations"]
    )
    moved = "".join(f"<tr><td>{escape(str(m))}</td></tr>" for m in report["moved_units"])
    return (
        f"<!doctype html><html lang='vi'><meta charset='utf-8'><title>Dự kiến sắp xếp {escape(report['plan'])}</title>"
        f"<h1>Kế hoạch {escape(report['plan'])} (hiệu lực {report['effective']})</h1>"
        f"<p>{report['operations']} thao tác; đóng {report['closed']} phiên bản, mở {report['opened']}; "
        f"{len(report['nominations_in_flight_here'])} hồ sơ đang xử lý tại đây.</p>"
        f"<h2>Đơn vị cơ sở chuyển nơi quản lý</h2><table>{moved}</table>"
        f"<h2>Hồ sơ đang xử lý sẽ chuyển đến</h2><table><tr><th>Hồ sơ</th><th>Kết quả</th><th>Từ</th>"
        f"<th>Đến</th><th>Quy tắc</th></tr>{nominations}</table>"
        f"<h2>Trường hợp cần người quyết định</h2><table>{rows}</table></html>"
    )
