"""Notifications by e-mail (decision 0019), against a real SMTP server in the test process
(aiosmtpd): one mail to each active officer concerned who has an address, none to anyone else,
none without SMTP settings, and a mail kept and sent once when the server was away."""

import asyncio
import socket
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from deploy.demo_data import demo_token
from services.kit.console.session import COOKIE, csrf_of
from services.kit.identity.models import Officer
from services.kit.notifications.handlers import notification_handlers
from services.kit.notifications.mail import mailing_of
from services.kit.notifications.models import MailOut, Notification
from services.kit.notifications.sender import MailSender
from shared.contracts.events import Event, NominationReceived, envelope_for
from shared.contracts.tiers import Tier
from tests.helpers import auth

AGENCY, OTHER = "P91", "B-BNV"  # Kiên Giang, and the Ministry of Home Affairs hosted at the same service
CONSOLE = "https://tdkt.kiengiang.gov.vn"


class Inbox:
    """An aiosmtpd handler that keeps what it accepts and refuses one address for good."""

    def __init__(self) -> None:
        self.mails: list[tuple[list[str], EmailMessage]] = []

    async def handle_RCPT(self, server, session, envelope, address, options):  # type: ignore[no-untyped-def]
        if address.startswith("khong.ton.tai@"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.mails.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_port() -> int:
    return free_port()


def smtp_server(port: int) -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


def smtp_settings(port: int) -> dict[str, object]:
    return {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_security": "none",
        "smtp_from": "thongbao@kiengiang.gov.vn",
        "province_console_url": CONSOLE,  # the service's own tier: its mails link there
        "mail_retry_seconds": 0.05,
    }


def received(agency: str) -> Event:
    return NominationReceived(
        nomination_id="n-1",
        award_code="GIAY_KHEN",
        nominee_name="Nguyễn Thị Lan",
        proposer_agency="U91-0001",
        agency_code=agency,
        step=1,
        actor="system",
    )


async def deliver(app_settings, sessions, event: Event) -> None:  # type: ignore[no-untyped-def]
    """As the consumer applies an event, twice (a redelivery), with the handlers the app would use."""
    handlers = notification_handlers(mailing_of(app_settings))
    envelope = envelope_for(event, source_agency="D903", occurred_at=datetime.now(UTC))
    for _ in range(2):
        async with sessions() as session, session.begin():
            await handlers[envelope.type](session, envelope, event)


async def give_addresses(client) -> None:  # type: ignore[no-untyped-def]
    """The province's chair and a new clerk have addresses; a deactivated officer and another
    agency's chair have addresses too, and must get nothing."""
    admin = auth(AGENCY, "admin")
    set_chair = await client.post(
        f"/officers/{AGENCY}:chair/email", headers=admin, json={"email": "Chien.Lam@KienGiang.gov.vn"}
    )
    assert set_chair.status_code == 200 and set_chair.json()["email"] == "Chien.Lam@kiengiang.gov.vn", set_chair.text
    for username, email in (("mai.le", "mai.le@kiengiang.gov.vn"), ("nghi.viec", "nghi.viec@kiengiang.gov.vn")):
        body = {"username": username, "name": "Cán bộ", "role": "clerk", "email": email}
        assert (await client.post("/officers", headers=admin, json=body)).status_code == 201
    assert (await client.post(f"/officers/{AGENCY}:nghi.viec/deactivate", headers=admin)).status_code == 200
    other = await client.post(f"/officers/{OTHER}:chair/email", headers=admin, json={"email": "loi@kienluong.gov.vn"})
    assert other.status_code == 404  # another agency's officer, even on the same service


async def test_each_active_officer_concerned_with_an_address_gets_one_mail(tier_http, smtp_port):
    client, sessions = await tier_http(Tier.PROVINCE, business_date=date(2025, 5, 15), **smtp_settings(smtp_port))
    await give_addresses(client)
    async with sessions() as session, session.begin():
        other = await session.get(Officer, f"{OTHER}:chair")
        assert other is not None
        other.email = "loi@kienluong.gov.vn"
        session.add(other)
    settings = client._transport.app.state.kit.settings  # type: ignore[attr-defined]
    await deliver(settings, sessions, received(AGENCY))

    controller, inbox = smtp_server(smtp_port)
    try:
        assert await MailSender(sessions, settings).send_due() == 2
        assert await MailSender(sessions, settings).send_due() == 0  # nothing twice
    finally:
        controller.stop()
    assert sorted(to for to, _ in inbox.mails) == [["Chien.Lam@kiengiang.gov.vn"], ["mai.le@kiengiang.gov.vn"]]
    mail = next(m for to, m in inbox.mails if to == ["Chien.Lam@kiengiang.gov.vn"])
    assert mail["Subject"] == "[Thi đua, khen thưởng] Hồ sơ mới cần xử lý: Nguyễn Thị Lan (GIAY_KHEN)"
    assert mail["From"] == "thongbao@kiengiang.gov.vn" and mail["Auto-Submitted"] == "auto-generated"
    body = mail.get_content()
    assert body.startswith("Kính gửi Lâm Minh Chiến,") and f"{CONSOLE}/console/nominations/n-1" in body


async def test_no_mail_is_written_without_smtp_settings(tier_http):
    client, sessions = await tier_http(Tier.PROVINCE)
    await give_addresses(client)
    settings = client._transport.app.state.kit.settings  # type: ignore[attr-defined]
    assert mailing_of(settings) is None
    await deliver(settings, sessions, received(AGENCY))
    async with sessions() as session:
        assert len((await session.exec(select(Notification))).all()) == 1  # the console still tells them
        assert (await session.exec(select(MailOut))).all() == []


async def test_a_mail_waits_for_a_server_that_was_away_and_goes_once(tier_http, smtp_port):
    client, sessions = await tier_http(Tier.PROVINCE, **smtp_settings(smtp_port))
    await give_addresses(client)
    settings = client._transport.app.state.kit.settings  # type: ignore[attr-defined]
    await deliver(settings, sessions, received(AGENCY))
    sender = MailSender(sessions, settings)

    assert await sender.send_due() == 0  # no server listens yet
    async with sessions() as session:
        rows = (await session.exec(select(MailOut))).all()
    assert [(r.status, r.attempts) for r in rows] == [("pending", 1), ("pending", 1)]
    assert all("connect" in (r.last_error or "").lower() for r in rows), rows[0].last_error

    controller, inbox = smtp_server(smtp_port)
    try:
        sent = 0
        for _ in range(50):  # the retry is due after MAIL_RETRY_SECONDS
            sent += await sender.send_due()
            if sent == 2:
                break
            await asyncio.sleep(0.05)
        assert sent == 2 and len(inbox.mails) == 2
    finally:
        controller.stop()
    async with sessions() as session:
        rows = (await session.exec(select(MailOut))).all()
    assert [(r.status, r.attempts) for r in rows] == [("sent", 2), ("sent", 2)]


async def test_a_refused_address_fails_at_once_and_an_interrupted_send_is_not_repeated(tier_http, smtp_port):
    client, sessions = await tier_http(Tier.PROVINCE, **smtp_settings(smtp_port))
    admin = auth(AGENCY, "admin")
    gone = await client.post(
        f"/officers/{AGENCY}:chair/email", headers=admin, json={"email": "khong.ton.tai@kiengiang.gov.vn"}
    )
    assert gone.status_code == 200
    settings = client._transport.app.state.kit.settings  # type: ignore[attr-defined]
    await deliver(settings, sessions, received(AGENCY))
    async with sessions() as session, session.begin():  # a sender stopped mid-send, long ago
        session.add(
            MailOut(
                key="lost",
                officer_id=f"{AGENCY}:clerk",
                to_address="lan.ngo@kiengiang.gov.vn",
                subject="s",
                body="b",
                status="sending",
                attempts=1,
                claimed_at=datetime.now(UTC) - timedelta(hours=1),
                next_attempt_at=datetime.now(UTC) - timedelta(hours=1),
                created_at=datetime.now(UTC) - timedelta(hours=1),
            )
        )
    controller, inbox = smtp_server(smtp_port)
    try:
        sender = MailSender(sessions, settings)
        assert await sender.expire_stale() == 1
        assert await sender.send_due() == 0
    finally:
        controller.stop()
    assert inbox.mails == []
    async with sessions() as session:
        rows = {r.key: r for r in (await session.exec(select(MailOut))).all()}
    assert rows["lost"].status == "unknown"
    refused = next(r for key, r in rows.items() if key != "lost")
    assert refused.status == "failed" and refused.attempts == 1 and "550" in (refused.last_error or "")


async def test_an_address_is_checked_and_set_from_the_console(tier_http):
    client, _ = await tier_http(Tier.PROVINCE)
    admin = demo_token(AGENCY, "admin")
    cookie = (await client.post("/console/login", data={"username": admin.lower(), "password": admin})).cookies[COOKIE]
    client.cookies.set(COOKIE, cookie)
    form = {"csrf": csrf_of(cookie), "action": "create", "username": "mai.le", "name": "Lê Thị Mai", "role": "clerk"}
    bad = await client.post("/console/officers", data={**form, "email": "mai.le@"})
    assert bad.status_code == 422 and 'role="alert"' in bad.text and "địa chỉ e-mail không hợp lệ" in bad.text
    assert "mai.le" not in (await client.get("/console/officers")).text  # nothing half-made
    made = await client.post("/console/officers", data={**form, "email": "mai.le@kiengiang.gov.vn"})
    assert made.status_code == 200 and 'value="mai.le@kiengiang.gov.vn"' in made.text
    cleared = await client.post(
        "/console/officers",
        data={"csrf": form["csrf"], "action": "email", "officer_id": f"{AGENCY}:mai.le", "email": ""},
    )
    assert cleared.status_code == 200 and 'value="mai.le@kiengiang.gov.vn"' not in cleared.text
    listed = await client.get("/officers", headers=auth(AGENCY, "admin"))
    assert {o["id"]: o["email"] for o in listed.json()}[f"{AGENCY}:mai.le"] is None
