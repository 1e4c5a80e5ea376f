"""Every service keeps the histories of nominees: conferrals, later changes, recorded facts."""

from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.nominees.management import learn_registration
from services.kit.nominees.models import NomineeFact
from services.kit.nominees.service import mark_retracted, normalised, store_facts
from shared.contracts.events import (
    CHANGE_OF_EVENT,
    AwardConferred,
    AwardRestored,
    AwardRevoked,
    AwardStripped,
    Envelope,
    Event,
    NomineeFactRetracted,
    NomineeFactsRecorded,
    NomineeRegistered,
)
from shared.platform.consumer import Handler


async def apply_recorded_facts(session: AsyncSession, envelope: Envelope, event: Event) -> None:
    assert isinstance(event, NomineeFactsRecorded)
    await store_facts(
        session,
        event.nominee_id,
        normalised(event.facts),
        source_agency=event.agency_code,
        recorded_by=event.actor,
        at=envelope.occurred_at,
    )


def award_fact(event: AwardConferred) -> dict[str, Any]:
    """The award fact every history holder records when an award is conferred: the form actually
    conferred (a lower form, where the authority chose one), which later changes name too."""
    decided_on = event.decided_on
    return {
        "kind": "award",
        "award_code": event.conferred_award_code or event.award_code,
        "year": event.period_year or int(decided_on[:4]),
        "decided_on": decided_on,
        "mode": event.mode or "cong_trang",
        "conferred_by": event.agency_code,
        "decision_no": event.decision_no or None,
        "achievement": event.achievement,
        "initiative_ids": list(event.initiative_ids),
    }


async def apply_conferral(session: AsyncSession, envelope: Envelope, event: Event) -> None:
    assert isinstance(event, AwardConferred)
    if event.nominee_id:
        await store_facts(
            session,
            event.nominee_id,
            normalised([award_fact(event)]),
            source_agency=event.agency_code,
            recorded_by=event.actor,
            at=envelope.occurred_at,
            origin="decision",
        )


def award_change_fact(event: AwardRevoked | AwardStripped | AwardRestored) -> dict[str, Any]:
    """The fact that makes the award conferred by `original_decision_no` stop (or resume) counting."""
    return {
        "kind": "award_change",
        "award_code": event.award_code,
        "decision_no": event.original_decision_no,
        "change": CHANGE_OF_EVENT[event.type],
        "change_decision_no": event.decision_no,
        "decided_on": event.decided_on,
        "changed_by": event.agency_code,
        "ground": getattr(event, "ground", None),
    }


async def apply_award_change(session: AsyncSession, envelope: Envelope, event: Event) -> None:
    assert isinstance(event, AwardRevoked | AwardStripped | AwardRestored)
    if event.nominee_id and event.original_decision_no:  # without a number the award cannot be named
        await store_facts(
            session,
            event.nominee_id,
            normalised([award_change_fact(event)]),
            source_agency=event.agency_code,
            recorded_by=event.actor,
            at=envelope.occurred_at,
            origin="decision",
        )


async def apply_registration(session: AsyncSession, envelope: Envelope, event: Event) -> None:
    assert isinstance(event, NomineeRegistered)
    await learn_registration(session, event)


async def apply_retraction(session: AsyncSession, envelope: Envelope, event: Event) -> None:
    """The fact is retracted here too; only a fact the retracting agency recorded is touched."""
    assert isinstance(event, NomineeFactRetracted)
    row = (
        await session.exec(
            select(NomineeFact).where(
                NomineeFact.fact_key == event.fact_key, NomineeFact.source_agency == event.agency_code
            )
        )
    ).first()
    if row is not None and row.retracted_at is None:
        mark_retracted(row, by=event.actor, reason=event.reason, at=envelope.occurred_at)
        session.add(row)


HISTORY_HANDLERS: dict[str, Handler] = {
    AwardConferred.type: apply_conferral,
    NomineeFactsRecorded.type: apply_recorded_facts,
    NomineeRegistered.type: apply_registration,
    NomineeFactRetracted.type: apply_retraction,
    **{event_type: apply_award_change for event_type in CHANGE_OF_EVENT},
}
