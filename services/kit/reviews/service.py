"""What a reviewing level does before the workflow records its decision: check that the decision
can be taken here and now, and gather what travels up with it. Functions never commit.

Whether the nomination is pending here, whether this role may decide and whether this level may
confer is the workflow validator's to say (`workflows.nomination.validation`); this module checks
only what the workflow cannot see: this service's own records.
"""

from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.dossier.service import level_manifest
from services.kit.errors import Invalid
from services.kit.identity.service import Caller
from services.kit.nominations.service import pending_review
from services.kit.reviews.readiness import forward_problems
from shared.contracts.nomination import DecisionInput, DocumentRef
from shared.contracts.tiers import Tier
from shared.rules.catalog import default_catalog


async def prepare_decision(
    session: AsyncSession,
    *,
    caller: Caller,
    nomination_id: str,
    tier: Tier,
    today: date,
    action: str,
    reason: str | None = None,
    decision_no: str | None = None,
    conferred_award_code: str | None = None,
    signer: str | None = None,
) -> DecisionInput:
    """The decision as the workflow will receive it, once this level's own records allow it."""
    if action == "confer" and not decision_no:
        raise Invalid("a conferral needs the decision number (decision_no) of the quyết định", "NoDecisionNumber")
    review = await pending_review(session, caller=caller, nomination_id=nomination_id)
    documents: list[DocumentRef] = []
    is_proposer = review.proposer_agency == caller.agency_code
    confers_here = any(step.get("confers") and step["agency_code"] == caller.agency_code for step in review.route)
    # Forwarding is this level's proposal; conferring what this level itself proposed (a province's
    # flag for the leader of a khối it organises) is too, and no level below held a council on it.
    # Either way its consultation and council (with the ballot the award requires) must be done.
    # A level that may not confer at all hears that from the workflow's validator (409), not this.
    if action == "forward" or (action == "confer" and is_proposer and confers_here):
        problems = await forward_problems(
            session,
            nomination_id=nomination_id,
            agency_code=caller.agency_code,
            award_code=review.award_code,
            is_proposer=is_proposer,
            tier=tier,
            today=today,
        )
        if problems and action == "confer":
            raise Invalid(
                "cannot confer yet what this level proposed: " + " ".join(problems), "NotReadyToConfer",
                vi="chưa quyết định khen thưởng được hồ sơ do chính cơ quan này đề nghị: cần việc công khai (nếu "
                "hình thức này bắt buộc) và kết luận của Hội đồng Thi đua - Khen thưởng của cơ quan, với số phiếu "
                "đồng ý đạt tỷ lệ quy định",
            )  # fmt: skip
        if problems:
            raise Invalid("cannot forward yet: " + " ".join(problems), "NotReadyToForward")
    if action == "forward":
        # The documents this level produced (its tờ trình, its council's minutes) travel up.
        documents = await level_manifest(session, nomination_id, caller.agency_code)
    if conferred_award_code is not None:
        check_lower_form(action, review.award_code, conferred_award_code)
    return DecisionInput(
        action=action,
        agency_code=caller.agency_code,
        tier=tier.value,
        officer_id=caller.officer_id,
        officer_role=caller.role,
        reason=reason,
        decision_no=decision_no,
        decided_on=today.isoformat(),
        documents=documents,
        conferred_award_code=conferred_award_code,
        signer=signer or (caller.name if action == "confer" else None),
        on_behalf_of=caller.on_behalf_of,
    )


def check_lower_form(action: str, proposed: str, conferred: str) -> None:
    """A conferral may give a lower form than proposed, where the catalog allows it (lower_forms)."""
    if action != "confer":
        raise Invalid("conferred_award_code is only for a conferral (action 'confer')")
    entry = default_catalog().awards.get(proposed)
    allowed = entry.lower_forms if entry else []
    if conferred != proposed and conferred not in allowed:
        raise Invalid(
            f"{proposed} cannot be conferred as {conferred}: the catalog allows "
            f"{', '.join(allowed) if allowed else 'no lower form'} for it (lower_forms)",
        )
