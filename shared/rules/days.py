"""The days the system accepts, one rule for every date a person or a program types in.

- The era: nothing before the Democratic Republic's first day (2 September 1945, the earliest any
  award, decision or record in this field can carry) and nothing after 2100. `Day` is the type
  for request fields, so `0001-01-01` and `9999-12-31` are refused with a sentence at the
  boundary, never deep inside with a 500.
- Against the business date (`ServiceSettings.today()`), by what the day means (`Window`):
  what has happened (a decision, a posting, a fact) is not dated after today; a council meeting
  is recorded at most 30 days ahead (absentees vote in writing before it); an end of validity (a
  delegation's last day, a movement's) lies at most ten years ahead.

Pure: `check_day` raises `DayRefused` (a ValueError saying it in English and Vietnamese); the
services turn it into their 422 (`services/kit/days.py`).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated

from pydantic import AfterValidator

FIRST_DAY = date(1945, 9, 2)
LAST_DAY = date(2100, 12, 31)


class DayRefused(ValueError):
    """A day outside what the rules allow; `vi` says the same in Vietnamese."""

    def __init__(self, en: str, vi: str) -> None:
        super().__init__(en)
        self.vi = vi


@dataclass(frozen=True)
class Window:
    """How far after the business date a kind of day may lie, and the rule in both languages."""

    ahead: timedelta
    rule: str
    rule_vi: str


HAPPENED = Window(timedelta(0), "what has happened is not dated after today", "việc đã diễn ra không thể sau hôm nay")
MEETING = Window(
    timedelta(days=30),
    "a meeting is recorded at most 30 days ahead of today",
    "cuộc họp chỉ được ghi trước tối đa 30 ngày",
)
VALIDITY = Window(
    timedelta(days=3653),
    "an end of validity lies at most ten years ahead of today",
    "thời hạn hiệu lực kết thúc không quá 10 năm kể từ hôm nay",
)


def vn(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def in_era(day: date) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise DayRefused(
            f"{day.isoformat()} is outside the days this system records ({FIRST_DAY.isoformat()} to "
            f"{LAST_DAY.isoformat()}) (ngày nằm ngoài khoảng {vn(FIRST_DAY)} đến {vn(LAST_DAY)})",
            f"ngày {vn(day)} nằm ngoài khoảng {vn(FIRST_DAY)} đến {vn(LAST_DAY)}",
        )
    return day


Day = Annotated[date, AfterValidator(in_era)]


def check_day(day: date, *, today: date, window: Window, field: str, field_vi: str) -> date:
    """`day` as given, or DayRefused naming the field and the days it may take."""
    limit = min(today + window.ahead, LAST_DAY)
    if FIRST_DAY <= day <= limit:
        return day
    rule = f"{window.rule}" if day > limit else f"nothing is dated before {FIRST_DAY.isoformat()}"
    rule_vi = window.rule_vi if day > limit else f"không có ngày nào trước {vn(FIRST_DAY)}"
    raise DayRefused(
        f"{field} {day.isoformat()} is outside {FIRST_DAY.isoformat()} to {limit.isoformat()}: {rule}",
        f"{field_vi} {vn(day)} nằm ngoài khoảng {vn(FIRST_DAY)} đến {vn(limit)}: {rule_vi}",
    )


def check_year(year: int, *, today: date, field: str, field_vi: str) -> int:
    """A year something happened in: from the era's first to the business date's."""
    if FIRST_DAY.year <= year <= today.year:
        return year
    raise DayRefused(
        f"{field} {year} is outside {FIRST_DAY.year} to {today.year}: {HAPPENED.rule}",
        f"{field_vi} {year} nằm ngoài khoảng {FIRST_DAY.year} đến {today.year}: {HAPPENED.rule_vi}",
    )
