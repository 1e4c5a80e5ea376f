"""Every service applies award.revoked / stripped / restored: the proposer's nomination, nominee histories
(a revoked award no longer counts for eligibility) and central's registry and statistics."""

import types
import uuid
from datetime import UTC, date, datetime

import httpx
from sqlmodel import select

from services.central.handlers import HANDLERS as CENTRAL_HANDLERS
from services.central.main import build_app
from services.central.settings import Settings as CentralSettings
from services.kit.handlers import KIT_HANDLERS
from services.kit.nominations.models import Nomination
from services.kit.nominees.service import history_of
from services.kit.outcomes.service import changes_of
from shared.contracts.events import (
    AwardConferred,
    AwardRestored,
    AwardRevoked,
    AwardStripped,
    Event,
    NomineeFactsRecorded,
    envelope_for,
    parse_event,
)
from shared.contracts.tiers import Tier
from shared.platform.consumer import merge_handlers
from shared.platform.db import transaction
from shared.rules.eligibility import check_eligibility
from tests.helpers import auth

TODAY = date(2026, 3, 2)
SCHOOL, COMMUNE = "U91-0001", "C30823"
NOMINEE = "CCCD:079000000002"


def _cstdcs(year: int) -> dict:
    return {
        "kind": "award",
        "award_code": "CSTD_CO_SO",
        "year": year,
        "decided_on": f"{year}-12-15",
        "mode": "cong_trang",
        "conferred_by": COMMUNE,
        "decision_no": f"{year - 2000}/QĐ-UBND",
    }


async def deliver(sessions, handlers, event: Event, source: str) -> None:
    """What the consumer does with one message: parse the envelope, run the handlers, commit."""
    envelope = envelope_for(event, source_agency=source, occurred_at=datetime.now(UTC))
    async with transaction(sessions) as session:
        await handlers[envelope.type](session, envelope, parse_event(envelope))


def conferred(nid: str, award: str = "CSTD_CO_SO", no: str = "25/QĐ-UBND", by: str = COMMUNE) -> AwardConferred:
    return AwardConferred(
        nomination_id=nid,
        award_code=award,
        nominee_name="Trần Thị Bình",
        proposer_agency=SCHOOL,
        agency_code=by,
        step=2,
        actor=f"{by}:chair",
        decision_no=no,
        decided_on="2025-12-15",
        nominee_id=NOMINEE,
        period_year=2025,
    )


def change(
    cls: type, nid: str, no: str, *, award: str = "CSTD_CO_SO", original: str = "25/QĐ-UBND", by: str = COMMUNE, **extra
) -> Event:
    return cls(
        nomination_id=nid,
        award_code=award,
        nominee_name="Trần Thị Bình",
        nominee_id=NOMINEE,
        proposer_agency=SCHOOL,
        agency_code=by,
        decision_no=no,
        original_decision_no=original,
        decided_on=TODAY.isoformat(),
        actor=f"{by}:chair",
        reason="Kết luận thanh tra",
        **extra,
    )


async def streak(sessions) -> str:
    async with transaction(sessions) as session:
        history = await history_of(session, NOMINEE)
    verdict = check_eligibility("CSTD_TINH", history, mode="cong_trang", year=2025, on=TODAY, regime="ND152")
    return next(c.status for c in verdict.criteria if c.code == "cstd_tinh.streak")


async def test_a_revoked_award_stops_counting_at_the_proposer(tier_http):
    _, sessions = await tier_http(Tier.UNIT, business_date=TODAY)
    nid = str(uuid.uuid4())
    async with transaction(sessions) as session:
        session.add(
            Nomination(
                id=nid,
                proposer_agency=SCHOOL,
                nominee_name="Trần Thị Bình",
                nominee_kind="individual",
                award_code="CSTD_CO_SO",
                reason="Ba năm liền hoàn thành xuất sắc",
                status="in_review",
                created_by=f"{SCHOOL}:clerk",
                created_at=datetime.now(UTC),
                nominee_id=NOMINEE,
            )
        )
    initiative = {
        "kind": "initiative",
        "id": "SK-T",
        "title": "Sáng kiến SK-T",
        "scope": "bo_tinh",
        "recognised_on": "2024-06-01",
        "recognised_by": COMMUNE,
    }
    await deliver(
        sessions,
        KIT_HANDLERS,
        NomineeFactsRecorded(
            nominee_id=NOMINEE,
            agency_code=SCHOOL,
            actor=f"{SCHOOL}:clerk",
            facts=[_cstdcs(2023), _cstdcs(2024), initiative],
        ),
        SCHOOL,
    )
    await deliver(sessions, KIT_HANDLERS, conferred(nid), COMMUNE)
    assert await streak(sessions) == "met"  # CSTĐCS 2023, 2024 and the 2025 one just conferred

    revoked = change(AwardRevoked, nid, "3/QĐ-UBND", ground="d", recovered_amount=2_340_000)
    await deliver(sessions, KIT_HANDLERS, revoked, COMMUNE)
    async with transaction(sessions) as session:
        nomination = await session.get(Nomination, nid)
        assert nomination is not None and nomination.status == "revoked"
        assert nomination.decision_no == "25/QĐ-UBND"  # the conferral's number is kept
        history = await history_of(session, NOMINEE)
        assert [a.year for a in history.awards] == [2023, 2024]
        assert len(history.all_awards) == 3
        [row] = await changes_of(session, nid)
        assert (row.kind, row.decision_no, row.ground) == ("revoked", "3/QĐ-UBND", "d")
    assert await streak(sessions) == "not_met"

    # A restore (or anything else) arriving after a revocation changes nothing: the decision is void.
    await deliver(sessions, KIT_HANDLERS, change(AwardRestored, nid, "4/QĐ-UBND"), COMMUNE)
    async with transaction(sessions) as session:
        assert (await session.get(Nomination, nid)).status == "revoked"  # type: ignore[union-attr]
    assert await streak(sessions) == "not_met"


async def test_a_stripped_title_counts_again_once_restored(tier_http):
    _, sessions = await tier_http(Tier.UNIT, business_date=TODAY)
    nid = str(uuid.uuid4())
    async with transaction(sessions) as session:
        session.add(
            Nomination(
                id=nid,
                proposer_agency=SCHOOL,
                nominee_name="Trần Thị Bình",
                nominee_kind="individual",
                award_code="NHA_GIAO_UU_TU",
                reason="Cống hiến lâu dài",
                status="in_review",
                created_by=f"{SCHOOL}:clerk",
                created_at=datetime.now(UTC),
                nominee_id=NOMINEE,
            )
        )
    honour = dict(award="NHA_GIAO_UU_TU", original="120/QĐ-CTN", by="TW-CTN")
    await deliver(sessions, KIT_HANDLERS, conferred(nid, "NHA_GIAO_UU_TU", "120/QĐ-CTN", "TW-CTN"), "TW-CTN")

    async def state() -> tuple[str, int]:
        async with transaction(sessions) as session:
            nomination = await session.get(Nomination, nid)
            assert nomination is not None
            return nomination.status, len((await history_of(session, NOMINEE)).awards)

    await deliver(sessions, KIT_HANDLERS, change(AwardStripped, nid, "301/QĐ-CTN", **honour), "TW-CTN")
    assert await state() == ("stripped", 0)
    await deliver(sessions, KIT_HANDLERS, change(AwardRestored, nid, "415/QĐ-CTN", **honour), "TW-CTN")
    assert await state() == ("conferred", 1)


async def test_central_registry_shows_revoked_and_statistics_leave_it_out(tier_http):
    _, sessions = await tier_http(Tier.CENTRAL, business_date=TODAY)
    handlers = merge_handlers(KIT_HANDLERS, CENTRAL_HANDLERS)  # as create_app merges them
    kept, revoked = str(uuid.uuid4()), str(uuid.uuid4())
    await deliver(sessions, handlers, conferred(kept, no="25/QĐ-UBND"), COMMUNE)
    await deliver(sessions, handlers, conferred(revoked, no="26/QĐ-UBND"), COMMUNE)
    await deliver(
        sessions, handlers, change(AwardRevoked, revoked, "3/QĐ-UBND", original="26/QĐ-UBND", ground="a"), COMMUNE
    )

    settings = CentralSettings(business_date=TODAY)
    app = build_app(settings)
    app.state.kit = types.SimpleNamespace(
        settings=settings, sessions=sessions, nominations=None, temporal=None, relay=None, tasks=[]
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        r = await client.get("/awards", headers=auth("TW-BTDKT", "auditor"))
        assert r.status_code == 200, r.text
        by_id = {a["nomination_id"]: a for a in r.json()}
        assert by_id[kept]["status"] == "conferred" and by_id[kept]["changes"] == []
        assert by_id[revoked]["status"] == "revoked"
        assert [(c["kind"], c["decision_no"], c["ground"]) for c in by_id[revoked]["changes"]] == [
            ("revoked", "3/QĐ-UBND", "a")
        ]
        only = await client.get("/awards", params={"status": "revoked"}, headers=auth("TW-BTDKT", "auditor"))
        assert [a["nomination_id"] for a in only.json()] == [revoked]
        stats = await client.get(
            "/statistics/awards-by-province", params={"as_of": "2026-03-02"}, headers=auth("TW-BTDKT", "auditor")
        )
        assert stats.status_code == 200, stats.text
        assert sum(row["awards"] for row in stats.json()) == 1
    async with transaction(sessions) as session:
        rows = await changes_of(session, revoked)
        assert len(rows) == 1  # the kit's and central's handlers both ran: one row, by event id
        assert (await session.exec(select(Nomination))).all() == []
