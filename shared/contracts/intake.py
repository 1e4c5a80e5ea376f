"""The return a level's intake makes of an incomplete dossier, one record for both workflows."""

from shared.contracts.nomination import DecisionInput, NominationInput, RecordDecisionArgs


def intake_return(
    nomination: NominationInput,
    workflow_id: str,
    member: str,
    step: int,
    visit: int,
    at: str,
    missing: list[str],
    message: str | None,
) -> RecordDecisionArgs:
    """The system's return of a dossier found incomplete at a level's intake: the same record
    whether the nomination travels alone or in a tờ trình (`member` prefixes its idempotency key)."""
    here = nomination.route[step]
    return RecordDecisionArgs(
        nomination=nomination,
        workflow_id=workflow_id,
        step=step,
        visit=visit,
        decision=DecisionInput("return", here.agency_code, here.tier, "system", "system", reason=message),
        next_agency=None,
        idempotency_key=f"{member}:{step}:{visit}:intake",
        decided_at=at,
        missing_documents=list(missing),
    )
