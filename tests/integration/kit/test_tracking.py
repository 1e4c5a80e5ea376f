"""Tracking: the proposer's service keeps a timeline from the events; officers and the nominee read it."""

import json
import re
from datetime import date, datetime, timedelta, timezone

from sqlmodel import select

from services.kit.nominations.models import Nomination
from services.kit.tracking.handlers import TRACKING_HANDLERS
from services.kit.tracking.models import TrackingCode, TrackingEntry
from services.kit.tracking.service import normalise_code
from shared.contracts.events import (
    AwardConferred,
    DeadlineReminder,
    DeadlineSet,
    Envelope,
    Event,
    NominationForwarded,
    NominationReceived,
    NominationResubmitted,
    NominationReturned,
    NominationSubmitted,
    envelope_for,
    parse_event,
)
from shared.contracts.tiers import Tier
from shared.platform.db import write_queued

SCHOOL, DISTRICT, PROVINCE = "U91-0001", "D903", "P91"
VN = timezone(timedelta(hours=7))
ROUTE = [
    {"tier": "unit", "agency_code": SCHOOL, "confers": False, "role": "proposes"},
    {"tier": "district", "agency_code": DISTRICT, "confers": False, "role": "reviews"},
    {"tier": "province", "agency_code": PROVINCE, "confers": True, "role": "confers"},
]
OFFICERS = (f"{SCHOOL}:clerk", f"{DISTRICT}:chair", f"{PROVINCE}:chair")
CLERK = {"Authorization": f"Bearer demo-{SCHOOL}-clerk"}


def fact(cls: type[Event], agency: str, step: int, actor: str = "system", **extra: object) -> Event:
    return cls(
        nomination_id="n-1",
        award_code="BANG_KHEN_TINH",
        nominee_name="Nguyễn Văn An",
        proposer_agency=SCHOOL,
        agency_code=agency,
        step=step,
        actor=actor,
        **extra,
    )


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=VN)


LIFE: list[tuple[datetime, Event]] = [
    (at(2, 9), fact(NominationSubmitted, SCHOOL, 0, OFFICERS[0], route=ROUTE)),
    (at(2, 10), fact(NominationReceived, DISTRICT, 1)),
    (
        at(2, 11),
        fact(
            DeadlineSet,
            DISTRICT,
            1,
            level="district",
            step_kind="appraisal",
            working_days=10,
            starts_on="2026-03-02",
            due_on="2026-03-16",
            reminders=["2026-03-09"],
            on_expiry="notify_head",
        ),
    ),
    (at(3, 9), fact(DeadlineReminder, DISTRICT, 1, due_on="2026-03-16", share_used=0.5)),
    (
        at(4, 15),
        fact(
            NominationReturned,
            DISTRICT,
            1,
            OFFICERS[1],
            reason="Thiếu biên bản họp Hội đồng TĐKT",
            missing_documents=["bien_ban"],
        ),
    ),
    (at(9, 8), fact(NominationResubmitted, SCHOOL, 0, OFFICERS[0], reason="Đã bổ sung biên bản")),
    (at(9, 9), fact(NominationReceived, DISTRICT, 1)),
    (at(11, 14), fact(NominationForwarded, DISTRICT, 1, OFFICERS[1], reason="Ghi chú nội bộ", to_agency=PROVINCE)),
    (at(11, 15), fact(NominationReceived, PROVINCE, 2)),
    (at(18, 10), fact(AwardConferred, PROVINCE, 2, OFFICERS[2], decision_no="512/QĐ-UBND", decided_on="2026-03-18")),
]


async def deliver(sessions, envelopes: list[Envelope]) -> None:  # type: ignore[no-untyped-def]
    """One transaction per event, the handler for its type, then what it queued written, as the
    consumer does (without its check of event ids: the rows themselves keep a redelivery out)."""
    for envelope in envelopes:
        async with sessions() as session, session.begin():
            await TRACKING_HANDLERS[envelope.type](session, envelope, parse_event(envelope))
            await write_queued(session)


def envelopes() -> list[Envelope]:
    return [
        envelope_for(event, source_agency=event.model_dump()["agency_code"], occurred_at=when) for when, event in LIFE
    ]


async def proposer_service(tier_http):  # type: ignore[no-untyped-def]
    client, sessions = await tier_http(Tier.UNIT, business_date=date(2026, 3, 20))
    async with sessions() as session, session.begin():
        session.add(
            Nomination(
                id="n-1",
                proposer_agency=SCHOOL,
                nominee_name="Nguyễn Văn An",
                nominee_kind="individual",
                award_code="BANG_KHEN_TINH",
                reason="Hoàn thành xuất sắc",
                status="in_review",
                created_by=OFFICERS[0],
                created_at=at(1, 8),
                route=ROUTE,
            )
        )
    return client, sessions


async def test_a_nomination_life_as_its_officers_and_its_nominee_see_it(tier_http):
    client, sessions = await proposer_service(tier_http)
    life = envelopes()
    await deliver(sessions, life[:3])

    mid = (await client.get("/nominations/n-1/tracking", headers=CLERK)).json()
    assert (mid["state"], mid["current_agency"]["code"], mid["current_level"], mid["step"], mid["due_on"]) == (
        "in_review",
        DISTRICT,
        "district",
        1,
        "2026-03-16",
    )
    code = mid["code"]
    assert re.fullmatch(r"TDKT(-[2-9A-HJKMNP-TV-Z]{4}){3}", code)

    await deliver(sessions, life[3:5])
    returned = (await client.get(f"/track/{code}")).json()
    assert (returned["state"], returned["current_agency"]["code"], returned["due_on"], returned["returns"]) == (
        "returned",
        SCHOOL,
        None,
        1,
    )
    # Returned on Wed 4 March, still with the proposer on Fri 20 March: 12 working days so far.
    assert returned["time_with_proposer_working_days"] == 12

    await deliver(sessions, life[5:])
    tracking = (await client.get("/nominations/n-1/tracking", headers=CLERK)).json()
    assert (tracking["state"], tracking["current_agency"]["code"], tracking["step"], tracking["steps"]) == (
        "conferred",
        PROVINCE,
        2,
        3,
    )
    assert (tracking["decision_no"], tracking["due_on"], tracking["returns"], tracking["code"]) == (
        "512/QĐ-UBND",
        None,
        1,
        code,
    )
    assert tracking["time_with_proposer_working_days"] == 3  # Thu 5, Fri 6, Mon 9 March
    assert [(r["event"], r["agency"]["code"], r["reason"], r["missing_documents"]) for r in tracking["reasons"]] == [
        ("nomination.returned", DISTRICT, "Thiếu biên bản họp Hội đồng TĐKT", ["bien_ban"])
    ]
    assert [e["event"] for e in tracking["timeline"]] == [e.type for e in life]
    assert tracking["timeline"][7]["actor"] == OFFICERS[1] and tracking["timeline"][7]["reason"] == "Ghi chú nội bộ"

    public = await client.get(f"/track/{code.lower().replace('-', ' ')}")  # typed loosely, still found
    assert public.status_code == 200, public.text
    seen = public.json()
    for key in (
        "state",
        "current_agency",
        "step",
        "due_on",
        "returns",
        "time_with_proposer_working_days",
        "reasons",
        "decision_no",
    ):
        assert seen[key] == tracking[key], key
    assert seen["proposer"]["name"] and seen["current_agency"]["name"]
    assert "nomination.reminded" not in [e["event"] for e in seen["timeline"]]
    text = json.dumps(seen, ensure_ascii=False)
    for secret in (*OFFICERS, "actor", "Ghi chú nội bộ", "Nguyễn Văn An", "n-1", "route"):
        assert secret not in text, secret
    assert seen["timeline"][-1]["details"] == {"decision_no": "512/QĐ-UBND", "decided_on": "2026-03-18"}


async def test_redelivery_adds_nothing_and_other_services_keep_the_timeline_without_a_code(tier_http):
    client, sessions = await proposer_service(tier_http)
    life = envelopes()
    await deliver(sessions, life[:2] + life[:2])
    async with sessions() as session:
        codes = (await session.exec(select(TrackingCode))).all()
        entries = (await session.exec(select(TrackingEntry))).all()
    assert len(codes) == 1 and len(entries) == 2

    elsewhere = fact(NominationSubmitted, "U91-0002", 0)
    foreign = envelope_for(
        elsewhere.model_copy(update={"nomination_id": "n-2"}), source_agency="U91-0002", occurred_at=at(2, 9)
    )
    async with sessions() as session, session.begin():
        await TRACKING_HANDLERS[foreign.type](session, foreign, elsewhere)
        await write_queued(session)
    async with sessions() as session:
        assert (await session.exec(select(TrackingCode).where(TrackingCode.nomination_id == "n-2"))).first() is None
        # A reviewing service keeps the timeline too: its console shows the whole route.
        kept = (await session.exec(select(TrackingEntry).where(TrackingEntry.nomination_id == "n-2"))).all()
        assert [e.event_type for e in kept] == [NominationSubmitted.type]

    other = await client.get("/nominations/n-1/tracking", headers={"Authorization": "Bearer demo-U91-0002-clerk"})
    assert other.status_code == 404
    assert (await client.get("/nominations/n-1/tracking")).status_code == 401


async def test_an_unknown_code_is_a_clear_404(tier_http):
    client, _ = await tier_http(Tier.UNIT, business_date=date(2026, 3, 20))
    for code in ("TDKT-7K3F-Q9XM-R2PA", "not-a-code"):
        response = await client.get(f"/track/{code}")
        assert response.status_code == 404
        assert response.json()["detail"].startswith(f"no nomination has the tracking code '{code}'")


def test_codes_are_read_back_however_they_are_typed():
    assert normalise_code("tdkt 7k3f q9xm r2pa") == "TDKT-7K3F-Q9XM-R2PA"
    assert normalise_code("7K3FQ9XMR2PA") == "TDKT-7K3F-Q9XM-R2PA"
    assert normalise_code("TDKT-7K3F-Q9XM-R2P0") is None  # 0 is never drawn: a typo, not a code
