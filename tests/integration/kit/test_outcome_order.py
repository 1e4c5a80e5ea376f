"""The proposer's view follows the latest event by when it happened, whatever order events arrive in."""

import uuid
from datetime import UTC, datetime, timedelta

from services.kit.handlers import KIT_HANDLERS
from services.kit.nominations.models import Nomination
from shared.contracts.events import (
    NominationForwarded,
    NominationResubmitted,
    NominationReturned,
    envelope_for,
    parse_event,
)
from shared.contracts.tiers import Tier
from shared.platform.db import transaction

SCHOOL, DISTRICT = "U91-0001", "D903"
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


async def _deliver(sessions, event, source: str, at: datetime) -> None:  # type: ignore[no-untyped-def]
    envelope = envelope_for(event, source_agency=source, occurred_at=at)
    async with transaction(sessions) as session:
        await KIT_HANDLERS[envelope.type](session, envelope, parse_event(envelope))


async def _status(sessions, nid: str) -> str:  # type: ignore[no-untyped-def]
    async with transaction(sessions) as session:
        row = await session.get(Nomination, nid)
        assert row is not None
        return row.status


async def test_a_late_forwarded_event_does_not_undo_a_return(tier_http):
    _, sessions = await tier_http(Tier.UNIT)
    nid = str(uuid.uuid4())
    async with transaction(sessions) as session:
        session.add(
            Nomination(
                id=nid,
                proposer_agency=SCHOOL,
                nominee_name="Lê Văn Chín",
                nominee_kind="individual",
                award_code="BANG_KHEN_TINH",
                reason="Thành tích",
                status="in_review",
                created_by=f"{SCHOOL}:clerk",
                created_at=T0,
            )
        )
    common = dict(nomination_id=nid, award_code="BANG_KHEN_TINH", nominee_name="Lê Văn Chín", proposer_agency=SCHOOL)
    returned = NominationReturned(
        **common,
        agency_code=DISTRICT,
        step=1,
        actor="system",
        reason="Thiếu: Báo cáo",
        missing_documents=["bao_cao_thanh_tich"],
    )
    forwarded = NominationForwarded(**common, agency_code=SCHOOL, step=0, actor=f"{SCHOOL}:chair", to_agency=DISTRICT)
    await _deliver(sessions, returned, DISTRICT, T0 + timedelta(seconds=2))
    await _deliver(sessions, forwarded, SCHOOL, T0 + timedelta(seconds=1))  # happened first, arrives last
    assert await _status(sessions, nid) == "returned"
    resubmitted = NominationResubmitted(**common, agency_code=SCHOOL, step=1, actor=f"{SCHOOL}:clerk")
    await _deliver(sessions, resubmitted, SCHOOL, T0 + timedelta(seconds=3))
    assert await _status(sessions, nid) == "in_review"
