"""What statistics need about the people awarded, as data (`data/people.yaml`): position categories
(and whether each counts as a direct worker, and its row of form 0602.N), sexes, ethnic groups.
`check_profile` is the one rule: individuals only, known values only."""

from functools import cache
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, model_validator

from shared.rules.datafiles import DATA_DIR, Citation, FieldError, StrictModel, parse_model, read_yaml

# Form 0602.N's individuals "by object" (domain.md §6.1): leaders at ministry/province level and above,
# at department level, entrepreneurs, other leaders (from deputy head of division), direct workers.
Row = Literal["lanh_dao_bo_tinh", "lanh_dao_vu_so", "doanh_nhan", "lanh_dao_khac", "truc_tiep"]
DIRECT_ROW = "truc_tiep"
ETHNIC_CODES = [f"{n:02d}" for n in range(1, 55)]


class Position(StrictModel):
    vi: str = Field(min_length=1)
    direct_worker: bool
    row: Row = Field(description="The row of form 0602.N it is counted in")

    @model_validator(mode="after")
    def _row_agrees(self) -> Self:
        if self.direct_worker != (self.row == DIRECT_ROW):
            raise FieldError(
                "direct_worker", f"a direct worker is counted in row {DIRECT_ROW}, and only a direct worker"
            )
        return self


class People(StrictModel):
    citation: Citation
    positions: dict[str, Position] = Field(min_length=1)
    sexes: dict[str, str] = Field(min_length=2)
    ethnicities: dict[str, str] = Field(min_length=54, max_length=54)

    @model_validator(mode="after")
    def _gso_codes(self) -> Self:
        if sorted(self.ethnicities) != ETHNIC_CODES:
            odd = sorted(set(self.ethnicities) ^ set(ETHNIC_CODES))
            raise FieldError("ethnicities", f"the codes are 01 to 54, each once (wrong or missing: {', '.join(odd)})")
        return self


def load_people(path: Path = DATA_DIR / "people.yaml") -> People:
    """The file validated; an error names the file, the entry (a position's code) and the field."""
    raw = read_yaml(path)
    positions = raw.get("positions") if isinstance(raw, dict) else None
    for code, entry in (positions if isinstance(positions, dict) else {}).items():
        parse_model(Position, entry, path.name, f"positions.{code}")
    return parse_model(People, raw, path.name, None)


@cache
def default_people() -> People:
    return load_people()


def profile_names(position: str | None, sex: str | None, ethnicity: str | None) -> dict[str, str]:
    """The profile's Vietnamese names by what they are (people.position, people.sex, people.ethnicity),
    only those given; a code the data no longer has is shown as it is."""
    people = default_people()
    named = {
        "people.position": people.positions[position].vi if position in people.positions else position,
        "people.sex": people.sexes.get(sex or "", sex),
        "people.ethnicity": people.ethnicities.get(ethnicity or "", ethnicity),
    }
    return {key: name for key, name in named.items() if name}


KIND_VI = {"collective": "tập thể", "household": "hộ gia đình"}


def check_profile(kind: str, position: str | None, sex: str | None, ethnicity: str | None) -> list[tuple[str, str]]:
    """What is wrong with a nominee's profile, one sentence each in English and Vietnamese (empty:
    nothing)."""
    people, problems = default_people(), []
    if kind != "individual" and any((position, sex, ethnicity)):
        return [
            (
                f"position, sex and ethnicity describe an individual, not a {kind}",
                f"chức danh, giới tính, dân tộc chỉ ghi cho cá nhân, không ghi cho {KIND_VI.get(kind, kind)}",
            )
        ]
    if position is not None and position not in people.positions:
        problems.append(
            (
                f"unknown position category '{position}': one of {', '.join(people.positions)}",
                f"không có chức danh, đối tượng '{position}': chọn một trong {', '.join(people.positions)}",
            )
        )
    if sex is not None and sex not in people.sexes:
        problems.append(
            (
                f"unknown sex '{sex}': one of {', '.join(people.sexes)}",
                f"giới tính '{sex}' không hợp lệ: {' hoặc '.join(people.sexes)}",
            )
        )
    if ethnicity is not None and ethnicity not in people.ethnicities:
        problems.append(
            (
                f"unknown ethnicity code '{ethnicity}': the General Statistics Office's 01 to 54",
                f"không có mã dân tộc '{ethnicity}': mã của Tổng cục Thống kê, từ 01 đến 54",
            )
        )
    return problems
