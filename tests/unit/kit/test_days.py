"""The days rule at the services' boundary (`services/kit/days.py`): a refused day is the 422 the
API answers, with the Vietnamese the console shows."""

from datetime import date

import pytest

from services.kit.days import require_day, require_year
from services.kit.errors import Invalid
from shared.rules.days import HAPPENED

TODAY = date(2026, 3, 20)


def test_at_the_services_boundary_a_refused_day_is_a_422_in_both_languages():
    with pytest.raises(Invalid) as refused:
        require_day(date(2030, 1, 7), TODAY, HAPPENED, field="posted_on", field_vi="ngày đăng công khai")
    assert refused.value.status == 422
    assert refused.value.detail == (
        "posted_on 2030-01-07 is outside 1945-09-02 to 2026-03-20: what has happened is not dated after today"
    )
    assert refused.value.vi == (
        "ngày đăng công khai 07/01/2030 nằm ngoài khoảng 02/09/1945 đến 20/03/2026: "
        "việc đã diễn ra không thể sau hôm nay"
    )
    with pytest.raises(Invalid, match="year 2027"):
        require_year(2027, TODAY, field="year", field_vi="năm")
