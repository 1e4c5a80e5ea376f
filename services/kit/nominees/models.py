"""Nominee histories: facts keyed by nominee, never by agency."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class NomineeFact(SQLModel, table=True):
    """One fact of a nominee's history (rating, award, initiative, discipline, hold, …).

    History belongs to the person or organisation (``nominee_id``), never to an agency code, so it
    survives reorganizations. The owning service records facts; others receive them by events.
    ``fact_key`` (a hash of nominee and fact) makes recording and redelivery idempotent.
    """

    __tablename__ = "nominee_fact"

    id: int | None = Field(default=None, primary_key=True)
    fact_key: str = Field(unique=True)
    nominee_id: str = Field(index=True)
    kind: str
    fact: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    source_agency: str
    recorded_by: str
    recorded_at: datetime
