"""A notification's e-mails: one to each active officer of the agency who has an address, written
to the mail outbox in the transaction that makes the notification (decision 0019). Nothing here
talks to a mail server; `sender.py` does. Functions never commit."""

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.identity.models import Officer
from services.kit.notifications.models import MailOut, Notification
from shared.platform.settings import ServiceSettings

SUBJECT_MAX = 150


@dataclass(frozen=True)
class Mailing:
    """What the notification handler needs to write e-mails: the console's public address, if any."""

    console_url: str | None = None


def mailing_of(settings: ServiceSettings) -> Mailing | None:
    """Mailing when the service has SMTP configured; None: notifications stay in the console."""
    return Mailing(console_url=settings.console_url(settings.tier)) if settings.mail_enabled else None


def subject_of(notification: Notification) -> str:
    text = " ".join(notification.text.split())
    return f"[Thi đua, khen thưởng] {text if len(text) <= SUBJECT_MAX else text[: SUBJECT_MAX - 1] + '…'}"


def body_of(notification: Notification, officer: Officer, console_url: str | None) -> str:
    lines = [
        f"Kính gửi {officer.name},",
        "",
        notification.text,
        "",
        f"Thời điểm: {notification.created_at.strftime('%d/%m/%Y %H:%M')} (UTC)",
    ]
    if console_url:
        if notification.nomination_id:
            lines.append(f"Xem hồ sơ: {console_url}/console/nominations/{notification.nomination_id}")
        lines.append(f"Thông báo của đơn vị: {console_url}/console/notifications")
    lines += [
        "",
        "Thư này được gửi tự động từ hệ thống thi đua, khen thưởng; vui lòng không trả lời thư này.",
        "Muốn thôi nhận thư, đề nghị quản trị viên của đơn vị xoá địa chỉ e-mail của đồng chí.",
    ]
    return "\n".join(lines) + "\n"


async def queue_mails(session: AsyncSession, notification: Notification, mailing: Mailing) -> int:
    """The notification's e-mails, to its agency's active officers with an address; how many."""
    officers = await session.exec(
        select(Officer)
        .where(Officer.agency_code == notification.agency_code, col(Officer.active), col(Officer.email).is_not(None))
        .order_by(col(Officer.id))
    )
    count = 0
    for officer in officers.all():
        assert officer.email is not None, "selected for its address"
        session.add(
            MailOut(
                key=f"{notification.key}:{officer.id}",
                officer_id=officer.id,
                to_address=officer.email,
                subject=subject_of(notification),
                body=body_of(notification, officer, mailing.console_url),
                next_attempt_at=notification.created_at,
                created_at=notification.created_at,
            )
        )
        count += 1
    return count
