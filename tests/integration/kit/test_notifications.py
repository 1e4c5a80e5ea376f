"""Events that concern an agency reach its officers as notifications, at the service that hosts
the agency: once per event, with an unread count that the list clears."""

from datetime import UTC, date, datetime

from sqlmodel import select

from deploy.demo_data import demo_token
from services.kit.console.session import COOKIE
from services.kit.notifications.handlers import NOTIFICATION_HANDLERS
from services.kit.notifications.models import Notification
from shared.contracts.events import (
    AwardConferred,
    DeadlineReminder,
    Event,
    NominationReceived,
    NominationReturned,
    envelope_for,
)
from shared.contracts.tiers import Tier
from tests.helpers import statements, those

SCHOOL, DISTRICT = "U91-0001", "D903"


def fact(cls: type[Event], agency: str, nomination_id: str = "n-1", **extra: object) -> Event:
    return cls(
        nomination_id=nomination_id,
        award_code="BANG_KHEN_TINH",
        nominee_name="Nguyễn Thị Lan",
        proposer_agency=SCHOOL,
        agency_code=agency,
        step=1,
        actor="system",
        **extra,
    )


async def deliver(sessions, events: list[Event]) -> None:  # type: ignore[no-untyped-def]
    for event in events:
        envelope = envelope_for(event, source_agency=event.agency_code, occurred_at=datetime.now(UTC))  # type: ignore[attr-defined]
        for _ in range(2):  # redelivered: nothing more
            async with sessions() as session, session.begin():
                await NOTIFICATION_HANDLERS[envelope.type](session, envelope, event)


async def test_the_agency_concerned_is_told_once_and_the_list_clears_the_count(tier_http):
    client, sessions = await tier_http(Tier.DISTRICT, business_date=date(2025, 5, 15))
    await deliver(
        sessions,
        [
            fact(NominationReceived, DISTRICT),
            fact(DeadlineReminder, DISTRICT, due_on="2025-06-12", share_used=0.8),
            fact(NominationReceived, "D904"),  # Tân Hiệp has no officer here: no one to tell
            fact(NominationReturned, DISTRICT, reason="Thiếu báo cáo"),  # for the school, hosted elsewhere
        ],
    )
    async with sessions() as session:
        rows = (await session.exec(select(Notification))).all()
    assert sorted((r.agency_code, r.kind) for r in rows) == [
        (DISTRICT, "nomination.received"),
        (DISTRICT, "nomination.reminded"),
    ]
    chair = demo_token(DISTRICT, "chair")
    login = await client.post("/console/login", data={"username": chair.lower(), "password": chair})
    client.cookies.set(COOKIE, login.cookies[COOKIE])
    assert ">2<" in (await client.get("/console/notifications/count")).text
    page = await client.get("/console/notifications")
    assert "Hồ sơ mới cần xử lý: Nguyễn Thị Lan" in page.text and "Nhắc hạn" in page.text
    assert (await client.get("/console/notifications/count")).text == ""  # read


async def test_the_proposer_is_told_of_a_return_and_a_conferral(tier_http):
    _, sessions = await tier_http(Tier.UNIT)
    await deliver(
        sessions,
        [
            fact(NominationReturned, DISTRICT, reason="Thiếu báo cáo thành tích"),
            fact(AwardConferred, "P91", decision_no="77/QĐ-UBND", decided_on="2025-05-20"),
        ],
    )
    async with sessions() as session:
        texts = [r.text for r in (await session.exec(select(Notification))).all() if r.agency_code == SCHOOL]
    assert texts == [
        "Hồ sơ bị trả lại để bổ sung: Nguyễn Thị Lan (BANG_KHEN_TINH): Thiếu báo cáo thành tích",
        "Đã có quyết định khen thưởng 77/QĐ-UBND: Nguyễn Thị Lan (BANG_KHEN_TINH)",
    ]


async def test_a_fetchs_notifications_are_written_in_one_statement_and_a_redelivery_adds_none(tier_http):
    """Without mail, a consumer fetch's notifications go in one statement when it commits; an event
    delivered twice in it, or again later, is told once."""
    _, sessions = await tier_http(Tier.DISTRICT, business_date=date(2025, 5, 15))
    events = [fact(NominationReceived, DISTRICT, nomination_id=f"n-{i}") for i in range(5)]
    envelopes = [envelope_for(e, source_agency=DISTRICT, occurred_at=datetime.now(UTC)) for e in events]
    with statements(sessions) as sent:
        for _ in range(2):
            async with sessions() as session, session.begin():
                for envelope, event in [*zip(envelopes, events, strict=True), (envelopes[0], events[0])]:
                    await NOTIFICATION_HANDLERS[envelope.type](session, envelope, event)
    assert len(inserts := those(sent, "INSERT", "notification")) == 2, inserts  # one per transaction
    async with sessions() as session:
        rows = (await session.exec(select(Notification))).all()
    assert sorted(r.nomination_id for r in rows) == [f"n-{i}" for i in range(5)]
