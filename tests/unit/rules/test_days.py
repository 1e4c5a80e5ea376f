"""The days rule (`shared/rules/days.py`): the era, and each window against the business date, with
its sentence in both languages naming the field and the days it may take."""

from datetime import date

import pytest
from pydantic import BaseModel, ValidationError

from shared.rules.days import (
    FIRST_DAY,
    HAPPENED,
    LAST_DAY,
    MEETING,
    VALIDITY,
    Day,
    DayRefused,
    Window,
    check_day,
    check_year,
)

TODAY = date(2026, 3, 20)


class Form(BaseModel):
    on: Day


@pytest.mark.parametrize("written", ["0001-01-01", "1945-09-01", "2101-01-01", "9999-12-31"])
def test_a_typed_day_outside_the_era_is_refused_with_the_era_in_the_sentence(written):
    with pytest.raises(ValidationError, match="outside the days this system records .1945-09-02 to 2100-12-31."):
        Form(on=written)


@pytest.mark.parametrize("written", [FIRST_DAY, LAST_DAY, TODAY])
def test_the_era_keeps_its_ends(written):
    assert Form(on=written).on == written


@pytest.mark.parametrize(
    ("window", "last_allowed"),
    [(HAPPENED, TODAY), (MEETING, date(2026, 4, 19)), (VALIDITY, date(2036, 3, 20))],
)
def test_each_window_allows_up_to_its_bound_and_refuses_the_day_after(window: Window, last_allowed: date):
    assert check_day(last_allowed, today=TODAY, window=window, field="f", field_vi="g") == last_allowed
    assert check_day(FIRST_DAY, today=TODAY, window=window, field="f", field_vi="g") == FIRST_DAY
    after = date.fromordinal(last_allowed.toordinal() + 1)
    with pytest.raises(DayRefused) as refused:
        check_day(after, today=TODAY, window=window, field="held_on", field_vi="ngày họp")
    assert str(refused.value) == (
        f"held_on {after.isoformat()} is outside 1945-09-02 to {last_allowed.isoformat()}: {window.rule}"
    )
    assert refused.value.vi == (
        f"ngày họp {after:%d/%m/%Y} nằm ngoài khoảng 02/09/1945 đến {last_allowed:%d/%m/%Y}: {window.rule_vi}"
    )


def test_a_day_before_the_era_says_so_whatever_the_window():
    with pytest.raises(DayRefused, match="nothing is dated before 1945-09-02") as refused:
        check_day(date(1900, 1, 1), today=TODAY, window=VALIDITY, field="to", field_vi="ngày kết thúc")
    assert "không có ngày nào trước 02/09/1945" in refused.value.vi


def test_no_window_reaches_past_the_era():
    late = date(2095, 6, 1)  # ten years on would be 2105
    assert check_day(LAST_DAY, today=late, window=VALIDITY, field="to", field_vi="x") == LAST_DAY
    with pytest.raises(DayRefused, match="outside 1945-09-02 to 2100-12-31"):
        check_day(date(2101, 1, 1), today=late, window=VALIDITY, field="to", field_vi="x")


@pytest.mark.parametrize(("year", "allowed"), [(1944, False), (1945, True), (2026, True), (2027, False)])
def test_a_year_something_happened_lies_between_1945_and_this_year(year, allowed):
    if allowed:
        assert check_year(year, today=TODAY, field="year", field_vi="năm") == year
    else:
        with pytest.raises(DayRefused, match=f"year {year} is outside 1945 to 2026"):
            check_year(year, today=TODAY, field="year", field_vi="năm")
