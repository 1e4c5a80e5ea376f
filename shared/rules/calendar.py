"""Working days (ngày làm việc) for statutory deadlines, on the Vietnamese public-service calendar.

A day is a working day unless it is a Saturday or Sunday, a holiday of the `holidays` package
(Labour Code 2019 Art. 112 holidays, their observed days and the swaps it knows), or inside an
official break from ``data/calendar.yaml``; a make-up day (ngày làm bù) declared there is a
working day even on a Saturday.

Counting convention (Civil Code 2015 Art. 147(2)-(3), Art. 148(1)): a time limit in days does
not count the day of the event that starts it and ends at the end of its last day. So "within 20
working days of receiving a complete dossier" received on day D ends on the 20th working day
strictly after D: day 1 is the first working day after D, whatever time of day the dossier came.
The caller passes the date the dossier is deemed received (after-hours online filings are the
intake rule's business, not this module's). Since every count lands on a working day, the
Art. 148(5) roll-forward of a deadline falling on a day off never applies.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from shared.rules.datafiles import DATA_DIR, CatalogError, Citation, parse_model, read_yaml

# Vietnam has no daylight saving: dates of instants (deadlines, "today") are taken here.
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def as_utc(at: datetime) -> datetime:
    """An aware instant: SQLite hands datetimes back naive (in UTC), PostgreSQL aware."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def local_date(at: datetime) -> date:
    """The Vietnamese calendar date of an instant."""
    return as_utc(at).astimezone(VIETNAM).date()


CALENDAR_FILE = DATA_DIR / "calendar.yaml"
Hold = tuple[date, date | None]
_Date = date  # for models with a field named `date`
_ONE_DAY = timedelta(days=1)
# A count that finds no working day in this many days means a broken calendar, not a long break.
_MAX_GAP = 60


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Break(_Strict):
    """An official holiday period: every day from `start` to `end` inclusive is a day off."""

    name_vi: str
    start: date = Field(alias="from")
    end: date = Field(alias="to")
    citation: Citation

    @field_validator("end")
    @classmethod
    def _not_before_start(cls, end: date, info: ValidationInfo) -> date:
        start = info.data.get("start")
        if start is not None and end < start:
            raise ValueError(f"ends ({end}) before it starts ({start})")
        return end


class DeclaredWorkingDay(_Strict):
    """A day declared a working day, usually a Saturday worked for the weekday in `replaces`."""

    date: _Date
    name_vi: str
    replaces: _Date | None = None
    citation: Citation


class CalendarFile(_Strict):
    reviewed_years: list[int] = Field(default_factory=list)
    breaks: list[Break] = Field(default_factory=list)
    working_days: list[DeclaredWorkingDay] = Field(default_factory=list)


class WorkingCalendar:
    """Which days are working days, and deadline arithmetic over them. Pure: no clock, no I/O."""

    def __init__(self, adjustments: CalendarFile | None = None, *, file: str = "calendar.yaml"):
        self.adjustments = adjustments or CalendarFile()
        self._holidays = holidays.country_holidays("VN")
        self._break_days = {d for b in self.adjustments.breaks for d in _days(b.start, b.end)}
        self._declared = {w.date: w for w in self.adjustments.working_days}
        self._check(file)

    def _check(self, file: str) -> None:
        seen: set[date] = set()
        for index, day in enumerate(self.adjustments.working_days):
            entry = f"working_days #{index + 1} ({day.date})"
            if day.date in seen:
                raise CatalogError(file, entry, "date", "is declared twice")
            seen.add(day.date)
            if day.date in self._break_days:
                raise CatalogError(file, entry, "date", "falls inside an official break")
            if day.date.weekday() < 5 and day.date not in self._holidays:
                raise CatalogError(file, entry, "date", "is a weekday, no holiday: already working")
            if day.replaces is not None and self.is_working_day(day.replaces):
                raise CatalogError(file, entry, "replaces", f"{day.replaces} is not a day off")

    def is_working_day(self, d: date) -> bool:
        if d in self._declared:
            return True
        return d.weekday() < 5 and d not in self._break_days and d not in self._holidays

    def is_provisional(self, d: date) -> bool:
        """True when `d`'s year has no reviewed official announcements in calendar.yaml."""
        return d.year not in self.adjustments.reviewed_years

    def holiday_name(self, d: date) -> str | None:
        """Why `d` is a day off other than a weekend (break name or package holiday), if it is."""
        if d in self._declared:
            return None
        for b in self.adjustments.breaks:
            if b.start <= d <= b.end:
                return b.name_vi
        return self._holidays.get(d)

    def add_working_days(self, start: date, n: int) -> date:
        """The deadline of `n` working days counted from the day after `start` (n=0: `start`)."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        deadline = self._count_from(start, n, ())
        assert deadline is not None  # only an open hold leaves the deadline unknown
        return deadline

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b]: the inverse of add_working_days; negative when b < a."""
        if b < a:
            return -self.working_days_between(b, a)
        return sum(1 for d in _days(a + _ONE_DAY, b) if self.is_working_day(d))

    def deadline_points(self, start: date, n: int, fractions: Sequence[float] = (0.5, 0.8)) -> tuple[date, ...]:
        """For reminders: per fraction f, the working day by whose end f of the `n` days is used.

        That is day ceil(f·n) of the count, so a reminder never comes before its share is spent
        (20 wd: 50 % → day 10, 80 % → day 16; 5 wd: 50 % → day 3, 80 % → day 4).
        """
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n}")
        points = []
        for f in fractions:
            if not 0 < f <= 1:
                raise ValueError(f"a fraction must be in (0, 1], got {f}")
            points.append(self.add_working_days(start, max(1, math.ceil(round(f * n, 9)))))
        return tuple(points)

    def add_working_days_with_holds(self, start: date, n: int, holds: Iterable[Hold]) -> date | None:
        """Like add_working_days, but the clock stops on every day of a hold (both ends inclusive)
        and restarts the day after it ends. A hold still open (end None) that the count reaches
        stops it for good: the deadline is unknown until the hold ends, so this returns None."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        checked = []
        for hold_start, hold_end in holds:
            if hold_end is not None and hold_end < hold_start:
                raise ValueError(f"hold ends ({hold_end}) before it starts ({hold_start})")
            checked.append((hold_start, hold_end))
        return self._count_from(start, n, checked)

    def _count_from(self, start: date, n: int, holds: Sequence[Hold]) -> date | None:
        day, counted, gap = start, 0, 0
        while counted < n:
            day += _ONE_DAY
            if not self.is_working_day(day):
                gap += 1
                if gap > _MAX_GAP:
                    raise RuntimeError(f"no working day in the {_MAX_GAP} days before {day}")
                continue
            gap = 0
            held = [end for begin, end in holds if begin <= day and (end is None or day <= end)]
            if held and None in held:
                return None
            if not held:
                counted += 1
        return day


def _days(first: date, last: date) -> Iterable[date]:
    return (first + timedelta(days=i) for i in range((last - first).days + 1))


def load_calendar(path: Path = CALENDAR_FILE) -> WorkingCalendar:
    """The calendar with the official adjustments in `path`; a bad file raises CatalogError."""
    raw: Any = read_yaml(path)
    if not isinstance(raw, dict):
        raise CatalogError(path.name, None, None, "must be a mapping with 'breaks', 'working_days'")
    extra = sorted(str(k) for k in raw if k not in CalendarFile.model_fields)
    if extra:
        raise CatalogError(path.name, None, extra[0], "unknown top-level key")
    for key, cls in (("breaks", Break), ("working_days", DeclaredWorkingDay)):
        for index, item in enumerate(raw.get(key) or []):
            parse_model(cls, item, path.name, f"{key} #{index + 1}")
    return WorkingCalendar(parse_model(CalendarFile, raw, path.name, None), file=path.name)


@cache
def default_calendar() -> WorkingCalendar:
    """The shipped calendar, loaded once per process."""
    return load_calendar()
