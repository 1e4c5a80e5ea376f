"""Properties of working-day arithmetic over any start and count (hypothesis), on the shipped
calendar (Tết, make-up Saturdays): a deadline is a working day exactly n working days on, counts
add up, more days never come sooner, and a hold never brings a deadline forward."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.rules.calendar import default_calendar

CALENDAR = default_calendar()
DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))
COUNTS = st.integers(0, 60)
EXAMPLES = settings(max_examples=150, derandomize=True, deadline=None)


@EXAMPLES
@given(DAYS, st.integers(1, 60))
def test_a_deadline_is_a_working_day_n_working_days_on(start: date, n: int) -> None:
    deadline = CALENDAR.add_working_days(start, n)
    assert deadline > start and CALENDAR.is_working_day(deadline)
    assert CALENDAR.working_days_between(start, deadline) == n
    assert CALENDAR.working_days_between(deadline, start) == -n
    # The day before the deadline still leaves one working day to go.
    assert CALENDAR.working_days_between(start, deadline - timedelta(days=1)) == n - 1


@EXAMPLES
@given(DAYS, COUNTS, COUNTS)
def test_counts_add_up_and_more_days_never_come_sooner(start: date, a: int, b: int) -> None:
    after_a = CALENDAR.add_working_days(start, a)
    assert CALENDAR.add_working_days(after_a, b) == CALENDAR.add_working_days(start, a + b)
    if a < b:
        assert after_a < CALENDAR.add_working_days(start, b)


@EXAMPLES
@given(DAYS, st.integers(1, 40), st.integers(0, 40), st.integers(0, 20))
def test_a_closed_hold_never_brings_a_deadline_forward(start: date, n: int, offset: int, length: int) -> None:
    hold = (start + timedelta(days=offset), start + timedelta(days=offset + length))
    plain = CALENDAR.add_working_days(start, n)
    held = CALENDAR.add_working_days_with_holds(start, n, [hold])
    assert held is not None and held >= plain
    assert CALENDAR.add_working_days_with_holds(start, n, []) == plain
    # Every working day held before the deadline pushes it by exactly one working day.
    days_held = [hold[0] + timedelta(days=d) for d in range(length + 1)]
    stopped = sum(1 for d in days_held if start < d <= held and CALENDAR.is_working_day(d))
    assert CALENDAR.working_days_between(start, held) == n + stopped
    reminders = CALENDAR.deadline_points(start, n)
    assert list(reminders) == sorted(reminders) and all(start < r <= plain for r in reminders)
