"""Events the central service applies: every conferred award enters the national registry, and a
later revocation, stripping or restoration changes its status there (and is kept as its history)."""

from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.central.models import ConferredAward
from services.kit.erasure.service import DOSSIER_FIELDS, blank, nominations_about
from services.kit.outcomes.service import store_change
from shared.contracts.events import (
    CHANGE_OF_EVENT,
    AwardConferred,
    AwardRestored,
    AwardRevoked,
    AwardStripped,
    Envelope,
    Event,
    NomineePersonalErased,
)
from shared.platform.consumer import Handler
from shared.rules.history import AWARD_CHANGES


async def register_conferral(session: AsyncSession, envelope: Envelope, event: Event) -> None:
    assert isinstance(event, AwardConferred)
    if await session.get(ConferredAward, event.nomination_id) is not None:
        return
    session.add(
        ConferredAward(
            nomination_id=event.nomination_id,
            award_code=event.conferred_award_code or event.award_code,
            nominee_name=event.nominee_name,
            proposer_agency=event.proposer_agency,
            conferred_by=event.agency_code,
            decision_no=event.decision_no,
            decided_on=date.fromisoformat(event.decided_on),
            event_id=envelope.event_id,
            nominee_kind=event.nominee_kind,
            nominee_position=event.nominee_position,
            nominee_sex=event.nominee_sex,
            nominee_ethnicity=event.nominee_ethnicity,
            mode=event.mode,
        )
    )


async def register_award_change(session: AsyncSession, envelope: Envelope, event: Event) -> None:
    """The registry's status follows AWARD_CHANGES: a revoked award stays revoked, whatever comes later."""
    assert isinstance(event, AwardRevoked | AwardStripped | AwardRestored)
    await store_change(session, event, event_id=envelope.event_id, recorded_at=envelope.occurred_at)
    award = await session.get(ConferredAward, event.nomination_id)
    if award is None:
        return  # conferred before the registry existed: the change is kept, there is no row to update
    after = AWARD_CHANGES.get(award.status, {}).get(CHANGE_OF_EVENT[event.type])
    if after is not None:
        award.status = after
        session.add(award)


async def erase_registered(session: AsyncSession, envelope: Envelope, event: Event) -> None:
    """The national registry keeps the awardee's name and award, not the erased sex and ethnic group
    (after the kit's own erasure, decision 0040)."""
    assert isinstance(event, NomineePersonalErased)
    ids = await nominations_about(session, event.nominee_id, event.nomination_ids)
    for award in (await session.exec(select(ConferredAward).where(col(ConferredAward.nomination_id).in_(ids)))).all():
        if blank(award, DOSSIER_FIELDS):
            session.add(award)


HANDLERS: dict[str, Handler] = {
    AwardConferred.type: register_conferral,
    NomineePersonalErased.type: erase_registered,
    **{event_type: register_award_change for event_type in CHANGE_OF_EVENT},
}
