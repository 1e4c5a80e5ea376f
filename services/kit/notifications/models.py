"""What the officers of an agency are told: one row per event that concerns the agency, and how
far each officer has read."""

from datetime import datetime

from sqlmodel import Field, SQLModel


class Notification(SQLModel, table=True):
    __tablename__ = "notification"

    id: int | None = Field(default=None, primary_key=True)
    # One notification per event and agency: redelivery adds nothing.
    key: str = Field(unique=True)
    agency_code: str = Field(index=True)
    kind: str  # the event type: nomination.received, nomination.reminded, …
    nomination_id: str | None = None
    text: str
    created_at: datetime


class NotificationSeen(SQLModel, table=True):
    """The last notification an officer has seen: everything after it is unread."""

    __tablename__ = "notification_seen"

    officer_id: str = Field(primary_key=True)
    last_seen_id: int = 0


class MailOut(SQLModel, table=True):
    """One e-mail to one officer, written in the transaction that made its notification and sent
    later by the mail sender (decision 0019): `pending` until the server takes it (`sent`), or
    `failed` after bounded attempts or a permanent refusal; `sending` while a sender holds it, and
    `unknown` if the sender stopped in that state (it may have gone; it is not sent again)."""

    __tablename__ = "mail_outbox"

    id: int | None = Field(default=None, primary_key=True)
    # One mail per notification and officer: a redelivered event adds nothing.
    key: str = Field(unique=True)
    officer_id: str
    to_address: str
    subject: str
    body: str
    status: str = Field(default="pending")
    attempts: int = 0
    next_attempt_at: datetime
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None
    created_at: datetime
