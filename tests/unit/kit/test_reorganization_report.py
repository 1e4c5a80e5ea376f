"""A dry run's report reads as tables: no raw data structures, and counts equal to what is listed."""

import csv
import io
import re

from services.kit.reorganization.report import as_csv, as_html

REPORT = {
    "plan": "VN-2025-07-01",
    "effective": "2025-07-01",
    "operations": 2,
    "closed": 3,
    "opened": 1,
    "moved_units": [
        {"code": "U91-0001", "old_parent": "D903", "new_parent": "C30823", "rule": "location", "operation": 0}
    ],
    "ambiguous": [
        {
            "code": "U91-0003",
            "candidates": ["C30823", "C30826"],
            "reason": "chia tách",
            "interim_parent": "P91",
            "operation": 1,
        }
    ],
    "nominations_in_flight_here": [],
    "nominations": [
        {
            "nomination_id": "n-1",
            "outcome": "would_transfer",
            "from_agency": "D903",
            "to_agency": "C30823",
            "rule": "district_abolished_to_commune",
            "detail": None,
        }
    ],
}


def test_the_csv_has_one_field_per_column_and_no_raw_structures():
    rows = list(csv.reader(io.StringIO(as_csv(REPORT))))
    assert rows[0] == ["section", "code", "from", "to", "rule", "candidates", "detail"]
    assert rows[1] == ["moved_unit", "U91-0001", "D903", "C30823", "location", "", ""]
    assert rows[2] == ["ambiguous", "U91-0003", "", "P91", "", "C30823, C30826", "chia tách"]
    assert rows[3] == ["nomination", "n-1", "D903", "C30823", "district_abolished_to_commune", "", "would_transfer"]
    assert not any("{" in field or "[" in field for row in rows for field in row)


def test_the_html_counts_what_its_tables_list():
    html = as_html(REPORT)
    assert "1 hồ sơ đang xử lý trong hệ thống (0 tại dịch vụ này)" in html
    assert "Hồ sơ đang xử lý sẽ chuyển đến (1)" in html and "Trường hợp cần người quyết định (1)" in html
    assert "<td>C30823, C30826</td>" in html
    assert not re.search(r"[{}]|\[|'code'", html.split("</style>", 1)[1])
