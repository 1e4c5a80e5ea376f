"""A report's chart drawn on the server (SVG: a few bars, written directly, so the console and the
exports need no script, no network and no charting library)."""

from html import escape
from typing import Any

from services.kit.statistics.service import LEVELS


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
