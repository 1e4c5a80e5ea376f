"""A lower form than proposed may be conferred only where the catalog configures it (domain.md §4.6)."""

import pytest

from services.kit.errors import Invalid
from services.kit.reviews.service import check_lower_form


def test_a_configured_lower_form_is_accepted():
    check_lower_form("confer", "HCLD_HANG_NHI", "HCLD_HANG_BA")


@pytest.mark.parametrize(
    ("proposed", "conferred", "action", "says"),
    [
        ("HCLD_HANG_NHI", "BANG_KHEN_TTG", "confer", "HCLD_HANG_BA"),  # not in lower_forms: the allowed one is named
        ("HCLD_HANG_BA", "BANG_KHEN_TTG", "confer", "no lower form"),  # nothing configured for it
        ("HCLD_HANG_NHI", "HCLD_HANG_BA", "refuse", "only for a conferral"),
    ],
)
def test_anything_else_is_refused_with_the_reason(proposed, conferred, action, says):
    with pytest.raises(Invalid) as refused:
        check_lower_form(action, proposed, conferred)
    assert refused.value.status == 422 and says in str(refused.value.detail)
