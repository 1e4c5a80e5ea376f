"""What statistics need about people, as data (shared/rules/people.py): the shipped file loads, a bad
file is refused naming the file, the entry and the field, and the profile rule says what is wrong."""

from pathlib import Path

import pytest
import yaml

from shared.rules.datafiles import DATA_DIR, CatalogError
from shared.rules.people import check_profile, default_people, load_people

SHIPPED = yaml.safe_load((DATA_DIR / "people.yaml").read_text(encoding="utf-8"))


def people_file(tmp_path: Path, **changes: object) -> Path:
    path = tmp_path / "people.yaml"
    path.write_text(yaml.safe_dump({**SHIPPED, **changes}, allow_unicode=True), encoding="utf-8")
    return path


def test_the_shipped_file_counts_direct_workers_in_their_row_and_has_the_54_groups() -> None:
    people = default_people()
    assert people.ethnicities["01"] == "Kinh" and len(people.ethnicities) == 54
    assert set(people.sexes) == {"nam", "nu"}
    assert people.positions["cong_nhan"].direct_worker and people.positions["cong_nhan"].row == "truc_tiep"
    assert not people.positions["lanh_dao_bo_tinh"].direct_worker


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        (
            {"positions": {**SHIPPED["positions"], "tho_may": {"vi": "Thợ may", "row": "truc_tiep"}}},
            "people.yaml: entry 'positions.tho_may', field 'direct_worker'",
        ),
        (
            {"positions": {"giam_doc": {"vi": "Giám đốc", "direct_worker": True, "row": "lanh_dao_khac"}}},
            "people.yaml: entry 'positions.giam_doc', field 'direct_worker'",
        ),
        (
            {"positions": {"bac_si": {"vi": "Bác sĩ", "direct_worker": True, "row": "bac_si"}}},
            "people.yaml: entry 'positions.bac_si', field 'row'",
        ),
        (
            {"ethnicities": {**{k: v for k, v in SHIPPED["ethnicities"].items() if k != "54"}, "55": "Khác"}},
            "people.yaml, field 'ethnicities'",
        ),
    ],
)
def test_a_bad_file_is_refused_naming_the_file_the_entry_and_the_field(
    tmp_path: Path, changes: dict, named: str
) -> None:
    with pytest.raises(CatalogError) as refused:
        load_people(people_file(tmp_path, **changes))
    assert named in str(refused.value)


def test_a_file_that_is_not_yaml_is_named(tmp_path: Path) -> None:
    path = tmp_path / "people.yaml"
    path.write_text("positions: [unclosed", encoding="utf-8")
    with pytest.raises(CatalogError, match="people.yaml: is not valid YAML"):
        load_people(path)


def test_the_profile_rule_speaks_both_languages_and_only_of_individuals() -> None:
    assert check_profile("individual", "giao_vien", "nu", "01") == []
    assert check_profile("collective", None, None, None) == []
    [(en, vi)] = check_profile("collective", None, "nu", None)
    assert "individual" in en and "tập thể" in vi
    wrong = check_profile("individual", "phi_cong", "x", "99")
    assert [en.split(" '")[0] for en, _ in wrong] == [
        "unknown position category",
        "unknown sex",
        "unknown ethnicity code",
    ]
    assert "không có mã dân tộc '99'" in wrong[2][1]
