"""The reporting forms' data file: what a cell counts, and the mistakes the loader refuses by name."""

import pytest
import yaml

from shared.rules.datafiles import CatalogError
from shared.rules.report_forms import load_report_forms, report_forms

FORM = {
    "code": "0699", "symbol": "0699.N", "vi": "Thử", "en": "Test", "source": "awards", "confirmed": False,
    "where": {"level": ["bo_tinh"]},
    "columns": [{"code": "tong", "vi": "Tổng", "en": "Total"},
                {"code": "nu", "vi": "Nữ", "en": "Women", "where": {"sex": ["nu"]}},
                {"code": "chua", "vi": "Chưa ghi", "en": "Not recorded", "recorded": False}],
    "rows": [{"code": "tong", "vi": "Tổng", "en": "Total"},
             {"code": "bk", "vi": "Bằng khen", "en": "Merit", "where": {"award": ["BANG_KHEN_TINH"]}},
             {"code": "khac", "vi": "Khác", "en": "Other", "unless": {"award": ["BANG_KHEN_TINH"]}}],
}  # fmt: skip
CITATION = {"instrument": "TT 02/2023/TT-BNV", "confidence": "M", "configurable": True}


def written(tmp_path, *forms):  # type: ignore[no-untyped-def]
    path = tmp_path / "report_forms.yaml"
    path.write_text(yaml.safe_dump({"citation": CITATION, "forms": list(forms)}, allow_unicode=True), encoding="utf-8")
    return path


def test_a_cell_counts_the_items_its_form_row_and_column_admit(tmp_path):
    form = load_report_forms(written(tmp_path, FORM))["0699"]
    items = [
        {"level": "bo_tinh", "award": "BANG_KHEN_TINH", "sex": "nu"},
        {"level": "bo_tinh", "award": "BANG_KHEN_TINH", "sex": "nam"},
        {"level": "bo_tinh", "award": "CSTD_TINH", "sex": "nu"},
        {"level": "nha_nuoc", "award": "BANG_KHEN_TTG", "sex": "nu"},  # outside the form
    ]
    assert form.fill(items) == [[3, 2, None], [2, 1, None], [1, 1, None]]


@pytest.mark.parametrize(
    "change, words",
    [
        ({"rows": [{"code": "x", "vi": "x", "en": "x", "where": {"movement_scope": ["a"]}}]}, "unknown dimension"),
        ({"rows": [{"code": "x", "vi": "x", "en": "x", "where": {"award": ["NO_SUCH"]}}]}, "NO_SUCH"),
        ({"rows": [FORM["rows"][0], FORM["rows"][0]]}, "used twice"),
        ({"source": "people"}, "source"),
        ({"where": {"scope": ["toan_quoc"]}}, "unknown dimension"),
    ],
)
def test_the_loader_names_what_is_wrong(tmp_path, change, words):
    with pytest.raises(CatalogError, match=words) as refused:
        load_report_forms(written(tmp_path, {**FORM, **change}))
    assert "report_forms.yaml" in str(refused.value) and "0699" in str(refused.value)


def test_the_shipped_forms_are_the_five_of_the_circular_all_unconfirmed():
    forms = report_forms()
    assert list(forms) == ["0601", "0602", "0603", "0604", "0605"]
    assert not any(form.confirmed for form in forms.values())
