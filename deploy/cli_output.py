"""How `tdkt` prints: plain-text tables aligned by display width, times, and UTF-8 output streams."""

import io
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime


def _width(text: str) -> int:
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A plain-text table, aligned by display width (Vietnamese diacritics take no column)."""
    cells = [list(headers)] + [[unicodedata.normalize("NFC", "" if c is None else str(c)) for c in row] for row in rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_time(value: str | None) -> str:
    """An ISO instant from the API as `YYYY-MM-DD HH:MM:SS`; nothing for none."""
    return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def utf8_output() -> None:
    """Vietnamese names print on consoles whose default encoding is not UTF-8."""
    for stream in (sys.stdout, sys.stderr):
        utf8 = stream.encoding.lower().replace("-", "") == "utf8"
        if isinstance(stream, io.TextIOWrapper) and not utf8:
            stream.reconfigure(encoding="utf-8")
