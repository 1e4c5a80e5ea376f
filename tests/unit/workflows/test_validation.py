"""The decision check's answer while an earlier decision is being recorded: its own kind
(BeingRecorded), which a tờ trình's repeated request reads as work under way, not as a refusal."""

import pytest
from temporalio.exceptions import ApplicationError

from shared.contracts.nomination import DecisionInput, NominationInput, RouteStep
from shared.contracts.tiers import Tier
from workflows.nomination.state import NominationState
from workflows.nomination.validation import check_decision

UNIT = "U91-0001"


def run(state: str, *, claimed: bool) -> NominationState:
    r = NominationState()
    r.nomination_input = NominationInput(
        nomination_id="n-1",
        award_code="LAO_DONG_TIEN_TIEN",
        nominee_name="Lê Văn Tâm",
        proposer_agency=UNIT,
        submitted_by=f"{UNIT}:clerk",
        submitted_at="2025-05-15T09:00:00+07:00",
        route=[RouteStep(Tier.UNIT, UNIT, confers=True, role="proposes")],
        regime="ND152",
    )
    r.state, r.claimed = state, claimed
    return r


CONFER = DecisionInput("confer", UNIT, Tier.UNIT.value, f"{UNIT}:chair", "chair", decision_no="1/QĐ-U91-0001")


@pytest.mark.parametrize(("state", "claimed"), [("pending", True), ("recording", True), ("recording", False)])
def test_a_decision_being_recorded_has_its_own_kind(state: str, claimed: bool) -> None:
    with pytest.raises(ApplicationError) as refused:
        check_decision(run(state, claimed=claimed), CONFER)
    assert refused.value.type == "BeingRecorded" and "try again" in refused.value.message


def test_a_nomination_decided_already_is_not_pending() -> None:
    with pytest.raises(ApplicationError) as refused:
        check_decision(run("forwarded", claimed=False), CONFER)
    assert refused.value.type == "NotPending"
