"""Working days on the official Vietnamese calendar, and the statutory deadlines table.

Every expected date below was counted by hand on a printed calendar; the comment on each case
says how. Convention (shared/rules/calendar.py): day 1 is the first working day after the start.
"""

import copy
import re
from datetime import date
from pathlib import Path
from typing import Any

import holidays
import pytest
import yaml

from shared.rules.calendar import CALENDAR_FILE, CalendarFile, WorkingCalendar, load_calendar
from shared.rules.catalog import DATA_DIR, CatalogError
from shared.rules.deadlines import LEVELS, deadline_for, load_deadlines

D = date


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return load_calendar()


# --- Counting working days ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        pytest.param(D(2025, 10, 10), 1, D(2025, 10, 13), id="friday+1-is-monday"),
        pytest.param(D(2025, 10, 11), 1, D(2025, 10, 13), id="received-saturday-day1-is-monday"),
        pytest.param(D(2025, 10, 9), 5, D(2025, 10, 16), id="thursday+5-skips-one-weekend"),
        pytest.param(D(2025, 10, 6), 10, D(2025, 10, 20), id="monday+10-skips-two-weekends"),
        pytest.param(D(2025, 10, 8), 0, D(2025, 10, 8), id="zero-days-is-the-start"),
    ],
)
def test_weekends_are_skipped(cal: WorkingCalendar, start: date, n: int, expected: date):
    assert cal.add_working_days(start, n) == expected
    assert cal.working_days_between(start, expected) == n


# Tết Bính Ngọ 2026, officially Sat 14/02 – Sun 22/02/2026 (CV 9859/VPCP-KGVX; calendar.yaml).
# 20 wd from Thu 12/02: day 1 = Fri 13/02; 14–22/02 all off; days 2–6 = Mon 23 – Fri 27/02;
# 7–11 = 02–06/03; 12–16 = 09–13/03; 17–20 = Mon 16 – Thu 19/03. Without Tết it would be
# Thu 12/03: the five Tết weekdays (16–20/02) push it by exactly five working days.
@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        pytest.param(D(2026, 2, 12), 20, D(2026, 3, 19), id="20wd-from-thu-12-feb-ends-thu-19-mar"),
        pytest.param(D(2026, 2, 13), 1, D(2026, 2, 23), id="last-day-before-tet+1-is-mon-23-feb"),
        pytest.param(D(2026, 2, 10), 5, D(2026, 2, 24), id="tue-10-feb+5-13feb-then-23-24feb"),
        pytest.param(D(2026, 2, 17), 1, D(2026, 2, 23), id="received-on-mung-1-day1-is-mon-23-feb"),
        # Tết Ất Tỵ 2025, officially Sat 25/01 – Sun 02/02/2025: Fri 24/01 + 1 → Mon 03/02.
        pytest.param(D(2025, 1, 24), 1, D(2025, 2, 3), id="tet-2025-fri-24-jan+1-is-mon-3-feb"),
    ],
)
def test_tet_is_not_counted(cal: WorkingCalendar, start: date, n: int, expected: date):
    assert cal.add_working_days(start, n) == expected


def test_the_official_tet_2026_break_has_no_working_day(cal: WorkingCalendar):
    tet = [D(2026, 2, day) for day in range(14, 23)]
    assert not any(cal.is_working_day(d) for d in tet)
    # The package (Labour Code rules) has the same five weekdays off as the announcement, so for
    # Tết 2026 calendar.yaml only pins it; the New Year 2026 swap below is what the package lacks.
    package = holidays.country_holidays("VN", years=2026)
    assert [d for d in tet if d.weekday() < 5] == [d for d in tet if d in package]
    assert cal.working_days_between(D(2026, 2, 13), D(2026, 2, 23)) == 1
    assert (cal.holiday_name(D(2026, 2, 14)) or "").startswith("Nghỉ Tết Nguyên đán Bính Ngọ 2026")
    assert cal.holiday_name(D(2026, 2, 23)) is None


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        pytest.param(D(2026, 1, 9), 1, D(2026, 1, 10), id="sat-10-jan-2026-makes-up-for-fri-2-jan"),
        pytest.param(D(2025, 4, 25), 1, D(2025, 4, 26), id="sat-26-apr-2025-makes-up-for-fri-2-may"),
        pytest.param(D(2026, 8, 21), 1, D(2026, 8, 22), id="sat-22-aug-2026-makes-up-for-mon-31-aug"),
        # 31/12/2025 + 1: Thu 01/01 holiday, Fri 02/01 swapped off, weekend → Mon 05/01.
        pytest.param(D(2025, 12, 31), 1, D(2026, 1, 5), id="new-year-2026-fri-2-jan-is-off"),
        # 5 wd from Wed 07/01/2026: Thu 8 (1), Fri 9 (2), Sat 10 make-up (3), Mon 12 (4), Tue 13 (5).
        pytest.param(D(2026, 1, 7), 5, D(2026, 1, 13), id="make-up-saturday-inside-a-count"),
    ],
)
def test_a_make_up_saturday_counts(cal: WorkingCalendar, start: date, n: int, expected: date):
    assert cal.add_working_days(start, n) == expected


def test_without_the_file_the_package_alone_misses_the_new_year_2026_swap():
    bare = WorkingCalendar(CalendarFile())
    assert bare.is_working_day(D(2026, 1, 2)) and not bare.is_working_day(D(2026, 1, 10))


def test_every_package_substitute_day_has_its_make_up_day_declared(cal: WorkingCalendar):
    package = holidays.country_holidays("VN", years=(2025, 2026), language="en_US")
    found = r"substituted from (\d\d)/(\d\d)/(\d{4})"
    swaps = [(d, re.search(found, name)) for d, name in package.items()]
    made_up = {D(int(m[3]), int(m[1]), int(m[2])): d for d, m in swaps if m}
    assert made_up, "the package lists no swap for 2025-2026 any more: review calendar.yaml"
    declared = {w.date: w.replaces for w in cal.adjustments.working_days}
    assert {day: declared.get(day) for day in made_up} == made_up


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        pytest.param(D(2026, 2, 12), D(2026, 3, 19), 20, id="across-tet"),
        pytest.param(D(2026, 3, 19), D(2026, 2, 12), -20, id="reversed-is-negative"),
        pytest.param(D(2025, 10, 11), D(2025, 10, 12), 0, id="a-weekend"),
        pytest.param(D(2025, 10, 10), D(2025, 10, 10), 0, id="same-day"),
    ],
)
def test_working_days_between(cal: WorkingCalendar, a: date, b: date, expected: int):
    assert cal.working_days_between(a, b) == expected


# --- Reminders ----------------------------------------------------------------------------------


# Reminder k = ceil(fraction × n): 20 wd → days 10 and 16; 5 wd → days 3 (2.5↑) and 4.
@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # From Thu 12/02/2026 (see the Tết count): day 10 = Thu 05/03, day 16 = Fri 13/03.
        pytest.param(D(2026, 2, 12), 20, (D(2026, 3, 5), D(2026, 3, 13)), id="20wd-across-tet"),
        # From Mon 06/10/2025: days 7, 8, 9, 10, 13 (5), 14, 15, 16 (8).
        pytest.param(D(2025, 10, 6), 10, (D(2025, 10, 13), D(2025, 10, 16)), id="10wd-plain"),
        pytest.param(D(2025, 10, 6), 5, (D(2025, 10, 9), D(2025, 10, 10)), id="5wd-rounds-up"),
    ],
)
def test_reminders_at_50_and_80_percent(cal: WorkingCalendar, start: date, n: int, expected: tuple):
    assert cal.deadline_points(start, n) == expected
    assert cal.deadline_points(start, n, (1.0,)) == (cal.add_working_days(start, n),)


def test_a_commune_rule_gives_its_deadline_and_reminders(cal: WorkingCalendar):
    rule = deadline_for("commune_chair", "appraisal")
    assert rule.due(D(2026, 2, 12), cal) == D(2026, 3, 19)
    assert rule.reminder_dates(D(2026, 2, 12), cal) == (D(2026, 3, 5), D(2026, 3, 13))


# --- Holds --------------------------------------------------------------------------------------


# 20 wd from Mon 02/03/2026 without a hold: 03–06 (4), 09–13 (9), 16–20 (14), 23–27 (19),
# Mon 30/03 (20). A hold stops the clock on its working days and the count resumes after it.
@pytest.mark.parametrize(
    ("holds", "expected", "held"),
    [
        pytest.param([], D(2026, 3, 30), 0, id="no-hold"),
        # Mon 09 – Fri 20/03: 10 working days held → 30/03 + 10 wd = 31/03–03/04, 06–10/04, Mon 13/04.
        pytest.param([(D(2026, 3, 9), D(2026, 3, 20))], D(2026, 4, 13), 10, id="10-working-day-hold"),
        # Mon 09 – Wed 18/03 (10 calendar days): 8 working days → 31/03–03/04, 06–09/04: Thu 09/04.
        pytest.param([(D(2026, 3, 9), D(2026, 3, 18))], D(2026, 4, 9), 8, id="10-calendar-day-hold"),
        pytest.param([(D(2026, 3, 7), D(2026, 3, 8))], D(2026, 3, 30), 0, id="hold-on-a-weekend"),
        pytest.param([(D(2026, 2, 1), D(2026, 3, 2))], D(2026, 3, 30), 0, id="hold-ended-on-start-day"),
        pytest.param([(D(2026, 4, 1), None)], D(2026, 3, 30), 0, id="open-hold-after-the-deadline"),
        pytest.param(
            [(D(2026, 3, 9), D(2026, 3, 10)), (D(2026, 3, 10), D(2026, 3, 11))],
            D(2026, 4, 2),
            3,
            id="overlapping-holds-count-once",
        ),
    ],
)
def test_a_hold_stops_the_clock(cal: WorkingCalendar, holds: list, expected: date, held: int):
    start = D(2026, 3, 2)
    assert cal.add_working_days_with_holds(start, 20, holds) == expected
    assert expected == cal.add_working_days(cal.add_working_days(start, 20), held)


def test_an_open_hold_leaves_the_deadline_unknown(cal: WorkingCalendar):
    assert cal.add_working_days_with_holds(D(2026, 3, 2), 20, [(D(2026, 3, 9), None)]) is None


def test_a_hold_ending_before_it_starts_is_refused(cal: WorkingCalendar):
    with pytest.raises(ValueError, match="before it starts"):
        cal.add_working_days_with_holds(D(2026, 3, 2), 5, [(D(2026, 3, 9), D(2026, 3, 8))])


def test_years_without_reviewed_announcements_are_provisional(cal: WorkingCalendar):
    assert not cal.is_provisional(D(2026, 6, 1)) and cal.is_provisional(D(2027, 2, 1))


# --- calendar.yaml ------------------------------------------------------------------------------

CITE = {"instrument": "test", "confidence": "M"}
BAD_CITE = {**CITE, "confidence": "Z"}
WD1 = "working_days #1"


@pytest.mark.parametrize(
    ("content", "entry", "field"),
    [
        pytest.param(
            {"breaks": [{"name_vi": "x", "from": "2026-02-22", "to": "2026-02-14", "citation": CITE}]},
            "breaks #1",
            "to",
            id="break-ends-before-it-starts",
        ),
        pytest.param(
            {"breaks": [{"name_vi": "x", "from": "2026-02-14", "to": "2026-02-22"}]},
            "breaks #1",
            "citation",
            id="break-without-citation",
        ),
        pytest.param(
            {"working_days": [{"date": "2026-01-08", "name_vi": "x", "citation": CITE}]},
            f"{WD1} (2026-01-08)",
            "date",
            id="make-up-day-on-a-plain-weekday",
        ),
        pytest.param(
            {"working_days": [{"date": "2026-01-10", "name_vi": "x", "replaces": "2026-01-09", "citation": CITE}]},
            f"{WD1} (2026-01-10)",
            "replaces",
            id="replaces-a-working-day",
        ),
        pytest.param(
            {"working_days": [{"date": "2026-01-10", "name_vi": "x", "citation": BAD_CITE}]},
            WD1,
            "citation.confidence",
            id="bad-confidence",
        ),
        pytest.param({"holidays": []}, None, "holidays", id="unknown-top-level-key"),
    ],
)
def test_a_malformed_calendar_file_is_refused(tmp_path: Path, content: dict, entry, field):
    path = tmp_path / "calendar.yaml"
    path.write_text(yaml.safe_dump(content), encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_calendar(path)
    error = caught.value
    assert (error.file, error.entry, error.field) == ("calendar.yaml", entry, field)
    assert str(error).startswith("calendar.yaml") and f"field '{field}'" in str(error)


def test_the_shipped_calendar_file_cites_every_adjustment():
    raw = yaml.safe_load(CALENDAR_FILE.read_text(encoding="utf-8"))
    for item in raw["breaks"] + raw["working_days"]:
        assert item["citation"]["instrument"] and item["citation"]["source"], item


# --- deadlines.yaml -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "step", "days", "confidence", "configurable"),
    [
        pytest.param("commune", "appraisal", 20, "H", False, id="commune-20wd-qd638"),
        pytest.param("commune_chair", "appraisal", 20, "H", False, id="by-authority-code"),
        pytest.param("central_board", "return_ineligible", 5, "H", False, id="central-return-5wd"),
        pytest.param("central_board", "submit_to_pm", 20, "H", False, id="central-submit-20wd"),
        pytest.param("central_board", "consultation", 10, "H", False, id="central-consultation-10wd"),
        pytest.param("central_board", "forward_decision", 10, "H", False, id="central-forward-10wd"),
        pytest.param("province_chair", "appraisal", 20, "L", True, id="province-default"),
        pytest.param("district", "appraisal", 20, "L", True, id="district-default"),
    ],
)
def test_the_shipped_deadlines(who: str, step, days: int, confidence: str, configurable: bool):
    rule = deadline_for(who, step)
    assert (rule.working_days, rule.citation.confidence, rule.citation.configurable) == (days, confidence, configurable)
    assert rule.reminders == (0.5, 0.8) and rule.on_expiry in (
        "notify_head",
        "reassign_substitute",
        "escalate_next_level",
    )


def test_every_level_is_mapped_and_unruled_steps_are_refused():
    table = load_deadlines()
    assert set(table.levels.values()) == set(LEVELS)
    with pytest.raises(LookupError, match="prime_minister/appraisal"):
        deadline_for("prime_minister", "appraisal")
    with pytest.raises(LookupError, match="neither a level"):
        deadline_for("hamlet_chief", "appraisal")


def _commune(raw: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in raw["rules"] if r["level"] == "commune")


def _set(path: str, value: Any):
    def mutate(raw: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = _commune(raw)
        for key in parents:
            target = target[key]
        target[last] = value

    return mutate


C = "commune/appraisal"


@pytest.mark.parametrize(
    ("mutate", "entry", "field"),
    [
        pytest.param(_set("working_days", 0), C, "working_days", id="zero-days"),
        pytest.param(_set("working_days", "twenty"), C, "working_days", id="days-not-int"),
        pytest.param(_set("on_expiry", "panic"), C, "on_expiry", id="unknown-escalation"),
        pytest.param(_set("reminders", [0.8, 0.5]), C, "reminders", id="reminders-unordered"),
        pytest.param(_set("reminders", [0.5, 1.5]), C, "reminders", id="reminder-over-1"),
        pytest.param(_set("step", "lunch"), "commune/lunch", "step", id="unknown-step"),
        pytest.param(_set("citation.confidence", "X"), C, "citation.confidence", id="bad-confidence"),
        pytest.param(lambda raw: _commune(raw).pop("citation"), C, "citation", id="no-citation"),
        pytest.param(lambda raw: raw["rules"].append(copy.deepcopy(_commune(raw))), C, "step", id="duplicate-rule"),
        pytest.param(
            lambda raw: raw["levels"]["commune"].append("village_elder"), "levels", "commune", id="unknown-authority"
        ),
        pytest.param(
            lambda raw: raw["levels"]["province"].append("commune_chair"),
            "levels",
            "province",
            id="authority-in-two-levels",
        ),
        pytest.param(lambda raw: raw["levels"].pop("district"), "levels", "district", id="level-missing"),
        pytest.param(lambda raw: raw["levels"].update(hamlet=[]), "levels", "hamlet", id="unknown-level"),
    ],
)
def test_a_malformed_deadlines_file_is_refused(tmp_path: Path, mutate, entry: str, field: str):
    raw = yaml.safe_load((DATA_DIR / "deadlines.yaml").read_text(encoding="utf-8"))
    mutate(raw)
    path = tmp_path / "deadlines.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_deadlines(path, authorities=DATA_DIR / "authorities.yaml")
    error = caught.value
    assert (error.file, error.entry, error.field) == ("deadlines.yaml", entry, field)
    assert str(error).startswith(f"deadlines.yaml: entry '{entry}', field '{field}': ")
