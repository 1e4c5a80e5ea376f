"""The days rule of `shared/rules/days.py` at the services' boundary: a refused day is a 422 with
the sentence in both languages. Service functions call `require_day` with the business date."""

from datetime import date

from services.kit.errors import Invalid
from shared.rules.days import DayRefused, Window, check_day, check_year


def require_day(day: date, today: date, window: Window, *, field: str, field_vi: str) -> date:
    """`day` when the rule allows it on `today`; otherwise Invalid naming the field and the range."""
    try:
        return check_day(day, today=today, window=window, field=field, field_vi=field_vi)
    except DayRefused as refused:
        raise Invalid(str(refused), vi=refused.vi) from None


def require_year(year: int, today: date, *, field: str, field_vi: str) -> int:
    """A year something happened in, from 1945 to `today`'s; otherwise Invalid naming the field."""
    try:
        return check_year(year, today=today, field=field, field_vi=field_vi)
    except DayRefused as refused:
        raise Invalid(str(refused), vi=refused.vi) from None
