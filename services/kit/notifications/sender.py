"""The mail sender: a task of the service that hands the mail outbox's due e-mails to the SMTP
server (decision 0019).

Each e-mail is claimed (`sending`, committed) before the server is given it and marked `sent` after
the server took it; no transaction is open while the server answers. What the server refuses for
now (4xx, a refused or lost connection, a timeout) is tried again later, the wait doubling, up to
MAIL_MAX_ATTEMPTS; a permanent refusal (5xx) fails at once. A claim older than STALE means a sender
stopped between handing the mail over and marking it: SMTP cannot say whether it went, and it is
marked `unknown`, not sent again (at most once across crashes; at least once across an absent
server). The Message-ID is derived from the mail's key, so a copy is recognisable as one.
"""

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import aiosmtplib
import structlog
from sqlalchemy import update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.notifications.models import MailOut
from shared.platform.settings import ServiceSettings

log = structlog.get_logger()

STALE = timedelta(minutes=10)  # far longer than one SMTP exchange may take (TIMEOUT)
TIMEOUT = 30.0
LONGEST_WAIT = timedelta(hours=6)


def message_of(mail: MailOut, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.created_at.replace(tzinfo=mail.created_at.tzinfo or UTC))
    message["Message-ID"] = f"<{hashlib.sha256(mail.key.encode()).hexdigest()[:40]}@{sender.rpartition('@')[2]}>"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a machine
    message.set_content(mail.body)
    return message


def permanent(err: Exception) -> bool:
    """A refusal the server will repeat: the address or the message is wrong, not the moment."""
    if isinstance(err, aiosmtplib.SMTPRecipientsRefused):
        return all(r.code >= 500 for r in err.recipients)
    if isinstance(err, aiosmtplib.SMTPAuthenticationError):
        return False  # the deployment's credentials, which an operator fixes: keep the mail
    return isinstance(err, aiosmtplib.SMTPResponseException) and err.code >= 500


class MailSender:
    def __init__(
        self, factory: async_sessionmaker[AsyncSession], settings: ServiceSettings, *, poll_seconds: float = 2.0
    ) -> None:
        assert settings.smtp_host and settings.smtp_from, "the sender runs only where SMTP is configured"
        self._factory = factory
        self._settings = settings
        self._sender = settings.smtp_from
        self._poll = poll_seconds

    def _client(self) -> aiosmtplib.SMTP:
        s = self._settings
        return aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            use_tls=s.smtp_security == "tls",
            start_tls=True if s.smtp_security == "starttls" else False,
            timeout=TIMEOUT,
        )

    async def run(self) -> None:
        while True:
            try:
                await self.expire_stale()
                while await self.send_due():
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("mail.sender_failed")
            await asyncio.sleep(self._poll)

    async def send_due(self, *, batch: int = 50) -> int:
        """Send what is due now over one connection; how many the server took."""
        now = datetime.now(UTC)
        async with self._factory() as session:
            due = await session.exec(
                select(MailOut.id)
                .where(MailOut.status == "pending", col(MailOut.next_attempt_at) <= now)
                .order_by(col(MailOut.id))
                .limit(batch)
            )
            ids = [i for i in due.all() if i is not None]
        if not ids:
            return 0
        smtp = self._client()
        try:
            await smtp.connect()
        except (aiosmtplib.SMTPException, OSError) as err:
            for mail_id in ids:
                if await self._claim(mail_id) is not None:
                    await self._failed(mail_id, err)
            return 0
        sent = 0
        try:
            for mail_id in ids:
                mail = await self._claim(mail_id)
                if mail is None:
                    continue  # another sender has it
                try:
                    await smtp.send_message(message_of(mail, self._sender))
                except (aiosmtplib.SMTPException, OSError) as err:
                    await self._failed(mail_id, err)
                    if not smtp.is_connected:
                        break  # the rest stay due; the next round reconnects
                    continue
                await self._mark(mail_id, status="sent", sent_at=datetime.now(UTC), last_error=None)
                log.info("mail.sent", mail_id=mail_id, officer_id=mail.officer_id)
                sent += 1
        finally:
            if smtp.is_connected:
                try:
                    await smtp.quit()
                except (aiosmtplib.SMTPException, OSError):
                    smtp.close()
        return sent

    async def _claim(self, mail_id: int) -> MailOut | None:
        """The mail, now `sending` and counted as an attempt, or None if another sender holds it."""
        async with self._factory() as session, session.begin():
            result = await session.exec(
                update(MailOut)
                .where(col(MailOut.id) == mail_id, col(MailOut.status) == "pending")
                .values(status="sending", claimed_at=datetime.now(UTC), attempts=MailOut.attempts + 1)
            )
            if result.rowcount != 1:
                return None
            mail = await session.get(MailOut, mail_id)
            assert mail is not None, "just claimed"
            session.expunge(mail)
            return mail

    async def _failed(self, mail_id: int, err: Exception) -> None:
        async with self._factory() as session, session.begin():
            mail = await session.get(MailOut, mail_id)
            assert mail is not None and mail.status == "sending", "claimed by this sender"
            error = f"{type(err).__name__}: {err}"[:500]
            if permanent(err) or mail.attempts >= self._settings.mail_max_attempts:
                mail.status, mail.last_error = "failed", error
                log.error(
                    "mail.failed", mail_id=mail_id, officer_id=mail.officer_id, attempts=mail.attempts, error=error
                )
            else:
                wait = timedelta(seconds=self._settings.mail_retry_seconds * 2 ** (mail.attempts - 1))
                mail.status, mail.last_error = "pending", error
                mail.next_attempt_at = datetime.now(UTC) + min(wait, LONGEST_WAIT)
                log.warning("mail.postponed", mail_id=mail_id, attempts=mail.attempts, error=error)
            session.add(mail)

    async def _mark(self, mail_id: int, **values: object) -> None:
        async with self._factory() as session, session.begin():
            await session.exec(update(MailOut).where(col(MailOut.id) == mail_id).values(**values))

    async def expire_stale(self) -> int:
        """Claims left by a sender that stopped mid-send become `unknown`: never sent twice."""
        before = datetime.now(UTC) - STALE
        async with self._factory() as session, session.begin():
            result = await session.exec(
                update(MailOut)
                .where(col(MailOut.status) == "sending", col(MailOut.claimed_at) < before)
                .values(status="unknown", last_error="the sender stopped while handing it to the server")
            )
        if result.rowcount:
            log.error("mail.delivery_unknown", count=result.rowcount)
        return int(result.rowcount)
