"""What the NominationWorkflow accepts now: the validators of its updates, in one place.

A validator that raises refuses the update before anything is recorded; the `ApplicationError`'s
message is what the officer reads and its type what a program can test. Routes check identity and
this service's own records; whether the nomination is pending here, whether this role may decide
and whether this level may confer is decided here, from the workflow's own state.
"""

from temporalio import workflow
from temporalio.exceptions import ApplicationError

from workflows.nomination.state import NominationState

with workflow.unsafe.imports_passed_through():
    from shared.contracts.nomination import ACTIONS, DecisionInput, HoldInput, ResubmitInput, WithdrawInput
    from shared.rules.roles import MAY, may


def being_recorded() -> ApplicationError:
    """A decision on it was accepted and is being recorded: asked again, the caller learns that its
    work is under way (a tờ trình's repeated request answers with what remains, not a refusal)."""
    return ApplicationError(
        "nomination is not awaiting a decision (a decision or withdrawal is being recorded); try again",
        type="BeingRecorded",
    )


def check_decision(run: NominationState, decision: DecisionInput) -> None:
    if run.transferring:
        raise ApplicationError(
            "nomination is being transferred to a successor agency after a reorganization; try again",
            type="NotPending",
        )
    if run.nomination_input is not None and (run.claimed or run.state == "recording"):
        raise being_recorded()
    if run.nomination_input is None or run.state not in ("pending", "opening"):
        raise ApplicationError(f"nomination is not awaiting a decision (it is {run.state})", type="NotPending")
    if run.held:
        raise ApplicationError(
            f"nomination is on hold ({run.hold_reason}); release the hold before deciding", type="OnHold"
        )
    current = run.current
    if decision.tier != current.tier or decision.agency_code != current.agency_code:
        raise ApplicationError(
            f"nomination is pending at {current.agency_code} ({current.tier}), "
            f"not at {decision.agency_code} ({decision.tier})",
            type="WrongAgency",
        )
    if not may(decision.officer_role, "decide"):
        raise ApplicationError(
            f"role '{decision.officer_role}' cannot decide; one of {MAY['decide']} is needed", type="WrongRole"
        )
    if decision.action == "confer" and not current.confers:
        raise ApplicationError(
            f"{current.agency_code} cannot confer {run.nomination_input.award_code}: "
            f"the conferring authority is {run.nomination_input.route[-1].agency_code}",
            type="NotConferringLevel",
        )
    if decision.action == "forward" and current.confers:
        raise ApplicationError(
            f"{current.agency_code} is the conferring authority: confer, refuse or return", type="NothingToForwardTo"
        )
    if decision.action not in ACTIONS:
        raise ApplicationError(f"unknown action '{decision.action}'", type="UnknownAction")


def check_resubmit(run: NominationState, request: ResubmitInput) -> None:
    if run.nomination_input is None or run.state != "returned":
        raise ApplicationError(f"only a returned nomination can be resubmitted (it is {run.state})", type="NotReturned")
    if request.agency_code != run.nomination_input.proposer_agency:
        raise ApplicationError(
            f"only the proposer {run.nomination_input.proposer_agency} can resubmit", type="WrongAgency"
        )


def check_withdraw(run: NominationState, request: WithdrawInput) -> None:
    if (
        run.nomination_input is None
        or run.claimed
        or run.transferring
        or run.withdrawn
        or run.state not in ("pending", "opening", "returned")
    ):
        raise ApplicationError(
            f"only a nomination awaiting a decision can be withdrawn (it is {run.state})", type="NotPending"
        )
    if request.agency_code != run.nomination_input.proposer_agency:
        raise ApplicationError(
            f"only the proposer {run.nomination_input.proposer_agency} can withdraw it", type="WrongAgency"
        )


def check_hold(run: NominationState, request: HoldInput, *, holding: bool) -> None:
    """A hold (`holding`) or a release, by the proposer or the agency the nomination is at."""
    if run.nomination_input is None or run.state in ("conferred", "refused", "withdrawn", "starting"):
        raise ApplicationError(f"nomination cannot be held or released (it is {run.state})", type="NotPending")
    allowed = {run.nomination_input.proposer_agency, run.current.agency_code}
    if request.agency_code not in allowed:
        raise ApplicationError(
            f"only {' or '.join(sorted(allowed))} can hold or release this nomination", type="WrongAgency"
        )
    if not request.reason.strip():
        raise ApplicationError("a hold or release needs a reason", type="NoReason")
    if holding and run.held:
        raise ApplicationError(f"nomination is already on hold ({run.hold_reason})", type="AlreadyHeld")
    if not holding and not run.held:
        raise ApplicationError("nomination is not on hold", type="NotHeld")
