"""A lower form than proposed may be conferred only where the catalog configures it (domain.md §4.6)."""

import pytest
from fastapi import HTTPException

from shared.kit.api import _check_lower_form
from shared.kit.schemas import DecisionIn


def test_a_configured_lower_form_is_accepted():
    _check_lower_form(
        DecisionIn(action="confer", decision_no="1/QĐ-CTN", conferred_award_code="HCLD_HANG_BA"), "HCLD_HANG_NHI"
    )


@pytest.mark.parametrize(
    ("proposed", "conferred", "action", "says"),
    [
        ("HCLD_HANG_NHI", "BANG_KHEN_TTG", "confer", "HCLD_HANG_BA"),  # not in lower_forms: the allowed one is named
        ("HCLD_HANG_BA", "BANG_KHEN_TTG", "confer", "no lower form"),  # nothing configured for it
        ("HCLD_HANG_NHI", "HCLD_HANG_BA", "refuse", "only for a conferral"),
    ],
)
def test_anything_else_is_refused_with_the_reason(proposed, conferred, action, says):
    with pytest.raises(HTTPException) as refused:
        _check_lower_form(DecisionIn(action=action, decision_no="1/QĐ", conferred_award_code=conferred), proposed)
    assert refused.value.status_code == 422 and says in refused.value.detail
