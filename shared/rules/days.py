"""The days the system accepts: nothing before the Democratic Republic's first day (2 September 1945,
the earliest any award, decision or record in this field can carry) and nothing after 2100. A type
for every date a person or a program types in (`Day`), so `0001-01-01` and `9999-12-31` are refused
with a sentence at the boundary, never deep inside with a 500. Rules against the business date (no
posting or decision in the future) are the services' (`services/kit/days.py`)."""

from datetime import date
from typing import Annotated

from pydantic import AfterValidator

FIRST_DAY = date(1945, 9, 2)
LAST_DAY = date(2100, 12, 31)


def in_era(day: date) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(
            f"{day.isoformat()} is outside the days this system records ({FIRST_DAY.isoformat()} to "
            f"{LAST_DAY.isoformat()}) (ngày nằm ngoài khoảng 02/09/1945 đến 31/12/2100)"
        )
    return day


Day = Annotated[date, AfterValidator(in_era)]
