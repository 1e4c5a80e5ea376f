"""A year's report as a spreadsheet (openpyxl) and as a chart drawn on the server (SVG: a few bars,
written directly, so the console and the exports need no script and no network)."""

import io
from html import escape
from typing import Any

from openpyxl import Workbook

from services.kit.statistics.service import LEVELS

KINDS = {"individual": "Cá nhân", "collective": "Tập thể", "household": "Hộ gia đình"}


def rows_of(report: dict[str, Any]) -> list[list[Any]]:
    """The summary table: one line per figure, the year before, the year, the change."""
    now, before = report["this_year"], report["previous_year"]
    lines: list[list[Any]] = [["Chỉ tiêu", before["year"], now["year"], "Thay đổi"]]
    lines.append(["Tổng số khen thưởng", before["total"], now["total"], now["total"] - before["total"]])
    # After a merger, the year before is the sum of the predecessors: each on its own line.
    parts = report.get("previous_year_by_predecessor", [])
    if len(parts) > 1 or any(p["agency_code"] != report["agency_code"] for p in parts):
        for part in parts:
            lines.append(
                [f"Trong đó năm {before['year']}: {part['name']} ({part['agency_code']})", part["total"], None, None]
            )
    for level, label in LEVELS.items():
        for kind, kind_label in KINDS.items():
            a, b = before["by_level"].get(level, {}).get(kind, 0), now["by_level"].get(level, {}).get(kind, 0)
            if a or b:
                lines.append([f"{label}: {kind_label}", a, b, b - a])
        a_share, b_share = before["direct_share"][level], now["direct_share"][level]
        if a_share is not None or b_share is not None:
            label_share = f"{label}: tỷ lệ người trực tiếp lao động, công tác (%)"
            lines.append(
                [label_share, percent(a_share), percent(b_share), report["change"]["direct_share_points"][level]]
            )
    return lines


def percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def xlsx(report: dict[str, Any]) -> bytes:
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "Tổng hợp"
    summary.append([f"Báo cáo khen thưởng năm {report['year']}: {report['agency_code']}"])
    for line in rows_of(report):
        summary.append(line)
    forms = book.create_sheet("Theo hình thức")
    forms.append(["Mã", "Hình thức khen thưởng", report["previous_year"]["year"], report["year"]])
    codes = sorted(set(report["this_year"]["by_award"]) | set(report["previous_year"]["by_award"]))
    for code in codes:
        forms.append([
            code, report["award_names"].get(code, code),
            report["previous_year"]["by_award"].get(code, 0), report["this_year"]["by_award"].get(code, 0),
        ])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def svg(report: dict[str, Any]) -> str:
    """Awards by level, the year before beside the year."""
    bars = []
    for level, label in LEVELS.items():
        for index, key in enumerate(("previous_year", "this_year")):
            figures = report[key]
            bars.append((label, figures["year"], index, sum(figures["by_level"].get(level, {}).values())))
    top = max([count for *_, count in bars] + [1])
    width, height, step = 560, 240, 180
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 60}" role="img" '
        f'aria-label="Số khen thưởng theo cấp, năm {report["year"] - 1} và {report["year"]}">'
    ]
    for n, (label, year, index, count) in enumerate(bars):
        group, x = n // 2, 40 + (n // 2) * step + index * 60
        bar = round(height * count / top)
        colour = "#a31515" if index else "#d9a3a3"
        parts.append(
            f'<rect x="{x}" y="{height - bar + 20}" width="50" height="{bar}" fill="{colour}">'
            f"<title>{year}: {count}</title></rect>"
        )
        parts.append(f'<text x="{x + 25}" y="{height - bar + 14}" text-anchor="middle" font-size="12">{count}</text>')
        if index == 0:
            parts.append(
                f'<text x="{40 + group * step + 55}" y="{height + 40}" text-anchor="middle" font-size="12">'
                f"{escape(label)}</text>"
            )
    parts.append(
        f'<text x="10" y="{height + 58}" font-size="11"><tspan fill="#d9a3a3">■</tspan> {report["year"] - 1} '
        f'<tspan fill="#a31515">■</tspan> {report["year"]}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
