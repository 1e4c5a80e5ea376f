"""What may be asked of a batch's awardee now: the answers a BatchWorkflow gives before it acts.

A decision on an awardee passes the single workflow's own validator (`check_decision`); what is
added here is the batch's: the awardee is in it, is still in it, and is named once.
"""

from temporalio import workflow
from temporalio.exceptions import ApplicationError

from workflows.nomination.state import NominationState
from workflows.nomination.validation import check_decision

with workflow.unsafe.imports_passed_through():
    from shared.contracts.batch import DecideItem


def not_in_batch(nomination_id: str, batch_no: str) -> ApplicationError:
    return ApplicationError(f"nomination {nomination_id} is not in tờ trình {batch_no}", type="NotInBatch")


def decision_refusal(
    members: dict[str, NominationState], split_off: dict[str, str], batch_no: str, item: DecideItem, earlier: list[str]
) -> ApplicationError | None:
    """Why this item cannot be decided now, in the single workflow's words; None when it can."""
    if item.nomination_id in split_off:
        return ApplicationError(
            f"nomination {item.nomination_id} goes on in its own workflow {split_off[item.nomination_id]}",
            type="SplitOff",
        )
    member = members.get(item.nomination_id)
    if member is None:
        return not_in_batch(item.nomination_id, batch_no)
    if item.nomination_id in earlier:
        return ApplicationError(f"nomination {item.nomination_id} is named twice", type="Duplicate")
    try:
        check_decision(member, item.decision)
    except ApplicationError as err:
        return err
    return None


def split_refusal(
    members: dict[str, NominationState], split_off: dict[str, str], batch_no: str, nomination_id: str
) -> ApplicationError | None:
    """Why this awardee cannot go on alone now; None when it can (or has already: the answer names
    its workflow)."""
    if nomination_id in split_off:
        return None
    member = members.get(nomination_id)
    if member is None:
        return not_in_batch(nomination_id, batch_no)
    if member.state in ("conferred", "refused"):
        return ApplicationError(f"nomination {nomination_id} is {member.state}", type="AlreadyDecided")
    if member.claimed or member.state not in ("pending", "forwarded"):
        return ApplicationError(
            f"nomination is not awaiting a decision (it is {member.state}); try again", type="NotPending"
        )
    return None
