"""Every service records each conferred award and follows its later changes."""

from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.statistics.models import AwardRecord
from shared.contracts.events import CHANGE_OF_EVENT, AwardConferred, Envelope, Event
from shared.platform.consumer import Handler
from shared.rules.catalog import default_catalog
from shared.rules.history import AWARD_CHANGES
from shared.rules.people import default_people


async def record_award(session: AsyncSession, envelope: Envelope, event: Event) -> None:
    assert isinstance(event, AwardConferred)
    if await session.get(AwardRecord, event.nomination_id) is not None:
        return
    code = event.conferred_award_code or event.award_code
    award = default_catalog().awards.get(code)
    position = default_people().positions.get(event.nominee_position or "")
    session.add(
        AwardRecord(
            nomination_id=event.nomination_id,
            award_code=code,
            level=award.level if award else "unknown",
            nominee_kind=event.nominee_kind,
            nominee_id=event.nominee_id,
            nominee_position=event.nominee_position,
            direct_worker=position.direct_worker if position else None,
            nominee_sex=event.nominee_sex,
            nominee_ethnicity=event.nominee_ethnicity,
            mode=event.mode,
            proposer_agency=event.proposer_agency,
            conferred_by=event.agency_code,
            decision_no=event.decision_no,
            decided_on=date.fromisoformat(event.decided_on),
        )  # fmt: skip
    )


async def follow_change(session: AsyncSession, envelope: Envelope, event: Event) -> None:
    record = await session.get(AwardRecord, event.model_dump().get("nomination_id", ""))
    if record is None:
        return
    after = AWARD_CHANGES.get(record.status, {}).get(CHANGE_OF_EVENT[event.type])
    if after is not None:
        record.status = after
        session.add(record)


STATISTICS_HANDLERS: dict[str, Handler] = {
    AwardConferred.type: record_award,
    **{event_type: follow_change for event_type in CHANGE_OF_EVENT},
}
