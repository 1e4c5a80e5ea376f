"""Bonus money (tiền thưởng) of a conferral: coefficient × base salary on the decision date (domain.md §9.3).

The coefficients are catalog data (each award's `bonus`); the base salary (mức lương cơ sở) and the
rounding rule are ``data/base_salary.yaml``, a table by effective date, because the amount owed
depends on the date the decision is signed, not on when it is paid or looked at. A malformed file
raises `CatalogError` naming the file, the entry and the field. Amounts are whole đồng, computed in
`Decimal` so that 0.3 × 2,340,000 is exactly 702,000 before rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.rules.catalog import Catalog
from shared.rules.catalog_entries import RecipientKind
from shared.rules.datafiles import DATA_DIR, CatalogError, Citation, parse_model, read_yaml

BASE_SALARY_FILE = DATA_DIR / "base_salary.yaml"


class BonusError(ValueError):
    """No bonus can be computed for this request (no base salary on record, wrong recipient kind)."""


class BaseSalaryRate(BaseModel):
    """The base salary in force from `valid_from` until the next row's date."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    valid_from: date
    amount: int = Field(gt=0, description="đồng per month")
    citation: Citation


class Rounding(BaseModel):
    """How a bonus is rounded: `up` to the next multiple of `step` is Decree 91/2017's rule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    step: int = Field(gt=0, description="đồng")
    mode: Literal["up", "half_up", "none"]
    citation: Citation

    def apply(self, amount: Decimal) -> int:
        if self.mode == "none":
            return int(amount.to_integral_value(ROUND_HALF_UP))
        how = ROUND_CEILING if self.mode == "up" else ROUND_HALF_UP
        return int((amount / self.step).to_integral_value(how)) * self.step

    def describe(self) -> str:
        if self.mode == "none":
            return "không làm tròn (đến đồng)"
        way = "lên" if self.mode == "up" else "đến"
        return f"làm tròn {way} bội số {_vnd(self.step)} gần nhất"


@dataclass(frozen=True)
class BaseSalaryTable:
    rates: tuple[BaseSalaryRate, ...]
    rounding: Rounding

    def rate_on(self, on: date) -> BaseSalaryRate:
        """The row in force on `on`; a date before the first row is refused, never guessed."""
        found = [rate for rate in self.rates if rate.valid_from <= on]
        if not found:
            first = self.rates[0]
            raise BonusError(
                f"no base salary on record for {on.isoformat()}: {BASE_SALARY_FILE.name} starts on "
                f"{first.valid_from.isoformat()} ({first.citation.instrument}); add the rate then in force, "
                "with its decree, to compute a bonus for that date"
            )
        return found[-1]


@dataclass(frozen=True)
class BonusResult:
    """What a conferral pays and why. `amount` is None when the catalog gives no coefficient."""

    award_code: str
    recipient_kind: str
    decided_on: date
    coefficient: float | None
    base_salary: int
    base_salary_since: date
    amount: int | None
    rounding: str
    citation: str
    configurable: bool


def _vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đ"


def _is_default(citation: Citation) -> bool:
    return citation.configurable or citation.confidence != "H"


def load_base_salary(path: Path = BASE_SALARY_FILE) -> BaseSalaryTable:
    """Load and check the table: known keys only, amounts > 0, effective dates strictly increasing."""
    name = path.name
    raw: Any = read_yaml(path)
    if not (isinstance(raw, dict) and isinstance(raw.get("rates"), list) and raw["rates"]):
        raise CatalogError(name, None, "rates", "the file must be a mapping whose 'rates' is a non-empty list")
    extra = sorted(str(k) for k in raw if k not in ("rates", "rounding"))
    if extra:
        raise CatalogError(name, None, extra[0], "unknown top-level key; only 'rates' and 'rounding'")
    if "rounding" not in raw:
        raise CatalogError(name, None, "rounding", "missing: give step, mode and citation")
    rates: list[BaseSalaryRate] = []
    for index, item in enumerate(raw["rates"]):
        entry = f"rates #{index + 1}" + (
            f" ({item['valid_from']})" if isinstance(item, dict) and "valid_from" in item else ""
        )
        rate = parse_model(BaseSalaryRate, item, name, entry)
        if rates and rate.valid_from <= rates[-1].valid_from:
            raise CatalogError(
                name,
                entry,
                "valid_from",
                f"must be after the previous row's {rates[-1].valid_from.isoformat()} "
                "(rows are in increasing date order)",
            )
        rates.append(rate)
    rounding = parse_model(Rounding, raw["rounding"], name, "rounding")
    return BaseSalaryTable(tuple(rates), rounding)


@cache
def default_base_salary() -> BaseSalaryTable:
    """The table shipped with tdkt, loaded once per process."""
    return load_base_salary()


def compute_bonus(
    catalog: Catalog,
    award_code: str,
    recipient_kind: RecipientKind,
    decided_on: date,
    *,
    table: BaseSalaryTable | None = None,
) -> BonusResult:
    """The bonus of `award_code` to a recipient of `recipient_kind` by a decision dated `decided_on`.

    Unknown award: KeyError. A recipient kind the award is not given to, or a date before the
    table: BonusError. An award the catalog gives no coefficient for (a commemorative medal, say)
    yields `coefficient` and `amount` None rather than an invented figure.
    """
    table = table or default_base_salary()
    award = catalog.award(award_code)
    if recipient_kind not in award.recipients:
        raise BonusError(
            f"{award_code} ({award.name_vi}) is not given to a {recipient_kind} recipient; "
            f"it is given to: {', '.join(award.recipients)}"
        )
    rate = table.rate_on(decided_on)
    coefficient: float | None = getattr(award.bonus, recipient_kind)
    amount = None if coefficient is None else table.rounding.apply(Decimal(str(coefficient)) * rate.amount)
    award_citation = award.citations["bonus"]
    citation = (
        f"Hệ số: {award_citation.text()}; mức lương cơ sở {_vnd(rate.amount)} từ {rate.valid_from.isoformat()}: "
        f"{rate.citation.text()}; {table.rounding.describe()}: {table.rounding.citation.text()}"
    )
    return BonusResult(
        award_code=award_code,
        recipient_kind=recipient_kind,
        decided_on=decided_on,
        coefficient=coefficient,
        base_salary=rate.amount,
        base_salary_since=rate.valid_from,
        amount=amount,
        rounding=table.rounding.describe(),
        citation=citation,
        configurable=any(_is_default(c) for c in (award_citation, rate.citation, table.rounding.citation)),
    )
