"""What the proposing agency does with its nominations: draft them and submit them. Functions never commit."""

import uuid
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.dossier.service import freeze_manifest, level_manifest, proposer_manifest
from services.kit.errors import Conflict, Invalid
from services.kit.identity.service import Caller
from services.kit.movements.running import routing_movement
from services.kit.nominations.models import Nomination, ProposalBatch
from services.kit.nominations.service import own_nomination
from services.kit.nominees.management import require_manager, require_profile
from services.kit.nominees.models import Nominee
from services.kit.nominees.service import history_of
from services.kit.registry.models import Agency
from services.kit.registry.service import agency_on, plan_route
from shared.contracts.nomination import NominationInput, ResubmitInput
from shared.routing import RoutePlan, RoutingError
from shared.rules.catalog import AwardMode, RecipientKind, default_catalog
from shared.rules.eligibility import Verdict, check_eligibility


async def create_draft(
    session: AsyncSession,
    *,
    caller: Caller,
    nominee_name: str,
    nominee_kind: str,
    award_code: str,
    reason: str,
    on: date,
    **rules: Any,
) -> Nomination:
    """A draft at the caller's agency, for a nominee it manages (its staff, itself or a body under
    it). `rules` are the DraftIn fields the rules read (nominee_id, mode, …)."""
    catalog = default_catalog()
    if award_code not in catalog.awards:
        raise Invalid(f"unknown award code '{award_code}'; GET /catalog/awards lists the codes")
    if rules.get("nominee_id"):
        await require_manager(session, caller, rules["nominee_id"], on)
        if nominee_kind == "individual":
            rules = await with_registered_profile(session, rules["nominee_id"], rules)
    require_profile(nominee_kind, *(rules.get(f"nominee_{field}") for field in ("position", "sex", "ethnicity")))
    nomination = Nomination(
        id=str(uuid.uuid4()),
        proposer_agency=caller.agency_code,
        nominee_name=nominee_name,
        nominee_kind=nominee_kind,
        award_code=award_code,
        reason=reason,
        created_by=caller.officer_id,
        created_at=datetime.now(UTC),
        **rules,
    )
    session.add(nomination)
    return nomination


async def with_registered_profile(session: AsyncSession, nominee_id: str, rules: dict[str, Any]) -> dict[str, Any]:
    """The draft's profile, each field not given taken from the registered individual: the dossier
    keeps the profile the award is given for, the registration the person's current one."""
    registered = await session.get(Nominee, nominee_id)
    if registered is None or registered.kind != "individual":
        return rules
    dossier = {"nominee_position": "position_category", "nominee_sex": "sex", "nominee_ethnicity": "ethnicity"}
    return {**rules, **{field: rules.get(field) or getattr(registered, source) for field, source in dossier.items()}}


async def prepare_submission(
    session: AsyncSession, *, caller: Caller, nomination_id: str, today: date
) -> tuple[NominationInput, RoutePlan]:
    """Check the draft can go, fix its route, freeze its dossier; the workflow's first activity
    records the submission.

    The manifest travels in `NominationInput.documents` and is frozen in this service's audit
    chain in the same transaction, so `GET /nominations/{id}/documents/verify` can later prove
    that no document changed after submission.
    """
    nomination = await own_nomination(session, caller=caller, nomination_id=nomination_id)
    if nomination.status != "draft":
        raise Conflict(f"nomination is already {nomination.status}")
    manifest = await proposer_manifest(session, nomination.id, nomination.proposer_agency)
    if not manifest:
        raise Invalid(
            "attach at least the tờ trình (submission document) before submitting",
        )
    await _collective_exists(session, nomination, today)
    now = datetime.now(UTC)
    try:
        plan = await plan_route(
            session,
            proposer_agency=nomination.proposer_agency,
            award_code=nomination.award_code,
            on=today,
            mode=nomination.mode,
            movement_code=nomination.movement_code,
            launched=await routing_movement(session, nomination.movement_code),
        )
    except RoutingError as err:
        raise Invalid(str(err)) from None
    regime = default_catalog().judging_regime(today).code
    verdict = await judge(session, nomination, regime=regime, on=today, province_code=plan.province_code)
    if verdict.outcome == "ineligible":
        raise Invalid(
            {
                "message": f"{nomination.nominee_name} is not eligible for {nomination.award_code} "
                f"under regime {regime}",
                "reasons": verdict.reasons(),
                "eligibility": verdict.to_dict(),
            },
        )
    nomination.regime, nomination.eligibility = regime, verdict.to_dict()
    session.add(nomination)
    documents = await freeze_manifest(
        session, nomination_id=nomination.id, agency_code=nomination.proposer_agency, actor=caller.officer_id, at=now,
        manifest=manifest,
    )  # fmt: skip
    return (
        NominationInput(
            nomination_id=nomination.id,
            award_code=nomination.award_code,
            nominee_name=nomination.nominee_name,
            proposer_agency=nomination.proposer_agency,
            submitted_by=caller.officer_id,
            submitted_at=now.isoformat(),
            route=plan.steps,
            regime=regime,
            mode=nomination.mode,
            nominee_id=nomination.nominee_id,
            period_year=period_year(nomination, today),
            eligibility=nomination.eligibility,
            achievement=nomination.achievement,
            initiative_ids=list(nomination.initiative_ids),
            documents=documents,
            nominee_kind=nomination.nominee_kind,
            batch_no=batch.number if (batch := await batch_of(session, nomination)) else None,
            nominee_position=nomination.nominee_position,
            nominee_sex=nomination.nominee_sex,
            nominee_ethnicity=nomination.nominee_ethnicity,
        ),
        plan,
    )


async def batch_of(session: AsyncSession, nomination: Nomination) -> ProposalBatch | None:
    return await session.get(ProposalBatch, nomination.batch_id) if nomination.batch_id else None


async def _collective_exists(session: AsyncSession, nomination: Nomination, today: date) -> None:
    """No collective award for a unit dissolved or merged away by a reorganization (TT 15/2025/TT-BNV)."""
    if nomination.nominee_kind != "collective" or not nomination.nominee_id:
        return
    if await agency_on(session, nomination.nominee_id, today) is not None:
        return
    last = (
        await session.exec(
            select(Agency).where(Agency.code == nomination.nominee_id).order_by(col(Agency.valid_from).desc())
        )
    ).first()
    if last is None:
        return  # a collective that is not an agency of the registry (a team, a department)
    raise Invalid(
        f"{last.code} ({last.name}) ceased to exist on {last.valid_to}: no collective award for a unit "
        f"dissolved after the reorganization (Thông tư 15/2025/TT-BNV); its members' nominations go through "
        f"its successor ({', '.join(last.successors or []) or 'none recorded'})",
    )


def period_year(nomination: Nomination, today: date) -> int:
    """The year whose achievements are judged: given on the draft, else the previous year."""
    return nomination.period_year or today.year - 1


async def judge(
    session: AsyncSession, nomination: Nomination, *, regime: str, on: date, province_code: str | None
) -> Verdict:
    """The eligibility verdict over the nominee's history held by this service."""
    return check_eligibility(
        nomination.award_code,
        await history_of(session, nomination.nominee_id),
        mode=cast(AwardMode, nomination.mode),
        year=period_year(nomination, on),
        on=on,
        regime=regime,
        province_code=province_code,
        achievement=nomination.achievement,
        initiative_ids=tuple(nomination.initiative_ids),
        recipient_kind=cast(RecipientKind, nomination.nominee_kind),
    )


async def prepare_resubmission(
    session: AsyncSession, *, caller: Caller, nomination_id: str, reason: str | None
) -> ResubmitInput:
    """A returned nomination goes back up with the proposer's part of the dossier as it now stands:
    its documents and what its own council produced."""
    await submitted_nomination(session, caller=caller, nomination_id=nomination_id, action="resubmit")
    documents = [
        *await proposer_manifest(session, nomination_id, caller.agency_code),
        *await level_manifest(session, nomination_id, caller.agency_code),
    ]
    return ResubmitInput(caller.agency_code, caller.officer_id, reason, documents)


async def submitted_nomination(session: AsyncSession, *, caller: Caller, nomination_id: str, action: str) -> Nomination:
    """The caller's own nomination, once submitted: a draft has no route to withdraw from or resubmit to."""
    nomination = await own_nomination(session, caller=caller, nomination_id=nomination_id)
    if nomination.status == "draft":
        raise Conflict(
            f"nomination {nomination_id} is a draft: nothing was submitted to {action}; submit it "
            f"(POST /nominations/{nomination_id}/submit) when its dossier is complete",
            "Draft",
            vi=f"hồ sơ còn là dự thảo, chưa trình nên không thể {'rút' if action == 'withdraw' else 'trình lại'}: "
            "hãy nộp hồ sơ khi đã đủ tài liệu",
        )
    return nomination
