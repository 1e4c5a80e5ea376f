"""Bonus = coefficient × base salary on the decision date, rounded up to 10,000 đ; the table is checked."""

from datetime import date
from pathlib import Path

import pytest

from shared.rules.bonus import BonusError, compute_bonus, default_base_salary, load_base_salary
from shared.rules.catalog import CatalogError, default_catalog

BEFORE, FROM = date(2024, 6, 30), date(2024, 7, 1)  # the day before and the day NĐ 73/2024 took effect


@pytest.mark.parametrize(
    ("award", "kind", "on", "base", "amount"),
    [
        # 0.3 × 1,800,000 = 540,000 exactly; 0.3 × 2,340,000 = 702,000, rounded up to 710,000.
        ("LAO_DONG_TIEN_TIEN", "individual", BEFORE, 1_800_000, 540_000),
        ("LAO_DONG_TIEN_TIEN", "individual", FROM, 2_340_000, 710_000),
        # 0.8 × 1,800,000 = 1,440,000; 0.8 × 2,340,000 = 1,872,000 → 1,880,000.
        ("TT_LAO_DONG_TIEN_TIEN", "collective", BEFORE, 1_800_000, 1_440_000),
        ("TT_LAO_DONG_TIEN_TIEN", "collective", FROM, 2_340_000, 1_880_000),
        # A Bằng khen of the Prime Minister to a collective: 7 × 2,340,000 = 16,380,000.
        ("BANG_KHEN_TTG", "collective", FROM, 2_340_000, 16_380_000),
        # 2019 rate: 1.0 × 1,490,000.
        ("CSTD_CO_SO", "individual", date(2020, 1, 15), 1_490_000, 1_490_000),
    ],
)
def test_bonus_uses_the_base_salary_of_the_decision_date(award, kind, on, base, amount):
    result = compute_bonus(default_catalog(), award, kind, on)
    assert (result.base_salary, result.amount) == (base, amount)
    assert "lương cơ sở" in result.citation and result.rounding


def test_a_date_before_the_table_is_refused_with_a_clear_message():
    with pytest.raises(BonusError, match=r"no base salary on record for 2019-06-30.*starts on 2019-07-01"):
        compute_bonus(default_catalog(), "CSTD_CO_SO", "individual", date(2019, 6, 30))


def test_no_coefficient_gives_no_amount_and_a_wrong_recipient_is_refused():
    medal = compute_bonus(default_catalog(), "KY_NIEM_CHUONG", "individual", FROM)
    assert medal.coefficient is None and medal.amount is None and medal.base_salary == 2_340_000
    with pytest.raises(BonusError, match="not given to a collective"):
        compute_bonus(default_catalog(), "CSTD_CO_SO", "collective", FROM)
    with pytest.raises(KeyError, match="unknown award code"):
        compute_bonus(default_catalog(), "NO_SUCH_AWARD", "individual", FROM)


def test_the_shipped_table_marks_its_unverified_rows():
    table = default_base_salary()
    assert [r.valid_from for r in table.rates] == sorted(r.valid_from for r in table.rates)
    assert table.rates[0].citation.confidence == "L" and table.rates[0].citation.configurable
    assert table.rounding.step == 10_000 and table.rounding.mode == "up" and table.rounding.citation.configurable


CITE = '{instrument: "NĐ test", confidence: L, configurable: true}'


def _table(tmp_path: Path, rates: str, rounding: str = f"{{step: 10000, mode: up, citation: {CITE}}}") -> Path:
    path = tmp_path / "base_salary.yaml"
    path.write_text(f"rates:\n{rates}\nrounding: {rounding}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("rates", "entry", "field"),
    [
        (
            f"  - {{valid_from: 2024-07-01, amount: 2340000, citation: {CITE}}}\n"
            f"  - {{valid_from: 2023-07-01, amount: 1800000, citation: {CITE}}}",
            "rates #2 (2023-07-01)",
            "valid_from",
        ),
        (f"  - {{valid_from: 2024-07-01, amount: 0, citation: {CITE}}}", "rates #1 (2024-07-01)", "amount"),
        (
            f"  - {{valid_from: 2024-07-01, amount: 2340000, citation: {CITE}, currency: VND}}",
            "rates #1 (2024-07-01)",
            "currency",
        ),
        ("  - {valid_from: 2024-07-01, amount: 2340000}", "rates #1 (2024-07-01)", "citation"),
    ],
)
def test_a_malformed_table_names_file_entry_and_field(tmp_path, rates, entry, field):
    with pytest.raises(CatalogError) as err:
        load_base_salary(_table(tmp_path, rates))
    assert (err.value.file, err.value.entry, err.value.field) == ("base_salary.yaml", entry, field)


def test_rounding_mode_is_validated_and_configurable(tmp_path):
    rates = f"  - {{valid_from: 2024-07-01, amount: 2340000, citation: {CITE}}}"
    with pytest.raises(CatalogError) as err:
        load_base_salary(_table(tmp_path, rates, f"{{step: 10000, mode: sideways, citation: {CITE}}}"))
    assert (err.value.entry, err.value.field) == ("rounding", "mode")
    exact = load_base_salary(_table(tmp_path, rates, f"{{step: 1000, mode: half_up, citation: {CITE}}}"))
    assert compute_bonus(default_catalog(), "LAO_DONG_TIEN_TIEN", "individual", FROM, table=exact).amount == 702_000
