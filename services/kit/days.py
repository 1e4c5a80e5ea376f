"""Dates against the business date: what has happened (a posting, a decision, a fact) cannot be
dated after today, and what may be recorded ahead (a council meeting, for the written votes sent
before it) only a little ahead. One rule, one sentence, both languages."""

from datetime import date, timedelta

from services.kit.errors import Invalid

MEETING_AHEAD = timedelta(days=30)  # a meeting is recorded before it is held: absentees vote in writing


def not_after(day: date, today: date, *, what: str, vi: str, ahead: timedelta = timedelta(0)) -> None:
    """Refused when `day` is later than `today` (+ `ahead`)."""
    if day > today + ahead:
        limit = today + ahead
        raise Invalid(
            f"{what} {day.isoformat()} is after {limit.isoformat()}"
            + ("" if not ahead else f" (at most {ahead.days} days ahead of today, {today.isoformat()})"),
            vi=f"{vi} {day:%d/%m/%Y} muộn hơn {limit:%d/%m/%Y}",
        )
