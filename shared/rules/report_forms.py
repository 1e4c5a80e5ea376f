"""The reporting forms of TT 02/2023/TT-BNV (0601.N–0605.N) as data (`data/report_forms.yaml`), and
the one rule that fills any of them: a cell counts the items matching its form's, its row's and its
column's conditions. The items (one dict of dimension values per award, movement, council or
officer) are computed by the statistics service; nothing here does I/O."""

from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import Field, model_validator

from shared.rules.catalog import default_catalog
from shared.rules.datafiles import DATA_DIR, CatalogError, Citation, FieldError, StrictModel, parse_model, read_yaml

Source = Literal["awards", "movements", "councils", "officers"]
# The dimensions each source's items carry (services/kit/statistics/forms.py computes them).
DIMENSIONS: dict[str, set[str]] = {
    "awards": {"award", "category", "level", "kind", "collective", "position_row", "sex", "minority", "mode"},
    "movements": {"launcher_level", "scope", "kind", "duration"},
    "councils": {"tier"},
    "officers": {"tier", "role"},
}
Scalar = str | bool | int


class Line(StrictModel):
    """A row or a column: its code, its words, and the conditions its items meet."""

    code: str = Field(pattern=r"^[a-z0-9_]+$")
    vi: str = Field(min_length=1)
    en: str = Field(min_length=1)
    where: dict[str, list[Scalar]] = Field(default_factory=dict, description="dimension → accepted values")
    unless: dict[str, list[Scalar]] = Field(default_factory=dict, description="dimension → refused values")
    recorded: bool = Field(default=True, description="false: the system does not record it; cells left empty")

    def admits(self, item: Mapping[str, Any]) -> bool:
        return all(item.get(d) in values for d, values in self.where.items()) and not any(
            item.get(d) in values for d, values in self.unless.items()
        )


class ReportForm(StrictModel):
    code: str = Field(pattern=r"^[0-9]{4}$")
    symbol: str
    vi: str
    en: str
    source: Source
    confirmed: bool = Field(description="false: rows and columns not checked against the official template")
    where: dict[str, list[Scalar]] = Field(default_factory=dict, description="what the whole form counts")
    columns: list[Line] = Field(min_length=1)
    rows: list[Line] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_dimensions(self) -> Self:
        known = DIMENSIONS[self.source]
        for part, lines in (("rows", self.rows), ("columns", self.columns)):
            codes = [line.code for line in lines]
            if len(set(codes)) != len(codes):
                raise FieldError(part, f"a code is used twice: {codes}")
            for line in lines:
                odd = (set(line.where) | set(line.unless)) - known
                if odd:
                    raise FieldError(part, f"{line.code}: unknown dimension(s) {sorted(odd)} of {self.source}")
        if set(self.where) - known:
            raise FieldError("where", f"unknown dimension(s) {sorted(set(self.where) - known)} of {self.source}")
        return self

    def fill(self, items: Iterable[Mapping[str, Any]]) -> list[list[int | None]]:
        """The form's cells, row by row: the items its row and column admit (None where the column
        asks for what is not recorded)."""
        counted = [item for item in items if all(item.get(d) in values for d, values in self.where.items())]
        return [
            [sum(1 for item in counted if row.admits(item) and column.admits(item)) if column.recorded else None
             for column in self.columns]
            for row in self.rows
        ]  # fmt: skip


class ReportForms(StrictModel):
    citation: Citation
    forms: list[ReportForm] = Field(min_length=1)


def load_report_forms(path: Path = DATA_DIR / "report_forms.yaml") -> dict[str, ReportForm]:
    """The forms by code, validated; an award code the catalog does not know is an error naming it."""
    raw = read_yaml(path)
    entries = raw.get("forms") if isinstance(raw, dict) else None
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        parse_model(ReportForm, entry, path.name, str(entry.get("code", f"#{index + 1}")))
    found = parse_model(ReportForms, raw, path.name, None)
    awards = default_catalog().awards
    forms: dict[str, ReportForm] = {}
    for form in found.forms:
        if form.code in forms:
            raise CatalogError(path.name, form.code, "code", "is defined twice")
        for line in (*form.rows, *form.columns):
            unknown = [c for c in (*line.where.get("award", []), *line.unless.get("award", [])) if c not in awards]
            if unknown:
                raise CatalogError(path.name, form.code, line.code, f"award code(s) not in the catalog: {unknown}")
        forms[form.code] = form
    return forms


@cache
def report_forms() -> dict[str, ReportForm]:
    return load_report_forms()
