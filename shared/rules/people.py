"""What statistics need about the people awarded, as data (`data/people.yaml`): position categories
(and whether each counts as a direct worker, and its row of form 0602.N), sexes, ethnic groups.
`check_profile` is the one rule: individuals only, known values only."""

from functools import cache
from pathlib import Path

from pydantic import Field

from shared.rules.datafiles import DATA_DIR, Citation, StrictModel, parse_model, read_yaml


class Position(StrictModel):
    vi: str = Field(min_length=1)
    direct_worker: bool
    row: str = Field(min_length=1, description="The row of form 0602.N it is counted in")


class People(StrictModel):
    citation: Citation
    positions: dict[str, Position] = Field(min_length=1)
    sexes: dict[str, str] = Field(min_length=2)
    ethnicities: dict[str, str] = Field(min_length=54, max_length=54)


def load_people(path: Path = DATA_DIR / "people.yaml") -> People:
    return parse_model(People, read_yaml(path), path.name, None)


@cache
def default_people() -> People:
    return load_people()


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
