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
